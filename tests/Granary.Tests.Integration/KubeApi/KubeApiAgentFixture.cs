using Granary.Client;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// A dev-mode silo with its embedded node agent on the process driver (pods run as host processes, no container
/// engine needed), for what needs a running container: kubectl logs.
/// </summary>
public sealed class KubeApiAgentFixture : IAsyncLifetime
{
    public const string NodeName = "kapi-agent";

    private SiloProcess? _silo;
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-kubeapi-agent-").FullName;

    public string ClusterId { get; } = $"kagt-{Guid.NewGuid():N}"[..12];

    public SiloProcess Silo => _silo!;

    public CliRunner Cli => CliRunner.ForGateway(Silo.Gateway, ClusterId);

    public Kubectl Kubectl => new(Silo.Kubeconfig, Path.Combine(_dir, "kube-cache"));

    public async Task InitializeAsync() =>
        _silo = await SiloProcess.StartAsync(null, ClusterId,
            "--embedded-agent", "true", "--service-cidr", "10.43.0.0/16", $"--Agent:NodeName={NodeName}", "--Agent:Driver=process", "--Agent:EnableProcessDriver=true",
            "--Agent:PodCidr=127.1.77.0/24", $"--Agent:StateDir={Path.Combine(_dir, "agent")}");

    public async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
        ScratchDirectory.Remove(_dir);
    }
}

/// <summary>kubectl logs against pods that really run (as host processes).</summary>
public sealed class KubectlLogsTests(KubeApiAgentFixture api) : IClassFixture<KubeApiAgentFixture>
{
    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    [Fact]
    public async Task Logs_PrintsTheContainersOutput_AndFollowEndsWhenItStops()
    {
        var apply = await api.Cli.RunAsync(["apply", "-f", "-"], stdin: $"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: hello
            spec:
              nodeName: {KubeApiAgentFixture.NodeName}
              restartPolicy: Never
              containers:
              - name: main
                image: local/none:1
                command: [sh, -c, "echo hello; echo world"]
            """);
        Assert.True(apply.ExitCode == 0, $"granary apply failed: {apply}");

        // A barrier, not a poll: the pod has finished (both lines written) once the agent reports Succeeded.
        await WaitForPhaseAsync("hello", "Succeeded");
        var logs = await api.Kubectl.RunAsync("logs", "hello");
        var follow = Ok(await api.Kubectl.RunAsync("logs", "-f", "hello"));
        var tail = Ok(await api.Kubectl.RunAsync("logs", "hello", "--tail=1"));

        Assert.Equal("hello\nworld\n", Ok(logs).Stdout);
        Assert.Equal("hello\nworld\n", follow.Stdout);
        Assert.Equal("world\n", tail.Stdout);
    }

    private async Task WaitForPhaseAsync(string name, string phase)
    {
        await using var client = await GranaryClient.ConnectAsync(new GranaryClientOptions { Gateways = [api.Silo.Gateway], ClusterId = api.ClusterId });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? last = null;
        try
        {
            await foreach (var e in client.Pods.WatchAsync(new WatchOptions { Namespace = "default", FieldSelector = $"metadata.name={name}" }, cts.Token))
            {
                last = e.Object.Status?.Phase;
                if (last == phase)
                    return;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"waiting for pod default/{name} to be {phase}: last phase {last ?? "none"}");
        }
    }
}
