using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// One real dev-mode silo process (no node agent, so pods stay Pending and nothing depends on this machine's
/// container engine) with its API on its own port, for the kubectl and HTTP tests of one class. Objects are
/// created through the granary CLI, which already works. The small watch history lets a test make a
/// resourceVersion expire.
/// </summary>
public sealed class KubeApiFixture : IAsyncLifetime
{
    public const int EventWindow = 16;

    private SiloProcess? _silo;
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-kubeapi-").FullName;

    public string ClusterId { get; } = $"kapi-{Guid.NewGuid():N}"[..12];

    public SiloProcess Silo => _silo!;

    public CliRunner Cli => CliRunner.ForGateway(Silo.Gateway, ClusterId);

    public Kubectl Kubectl => new(Silo.Kubeconfig, Path.Combine(_dir, "kube-cache"));

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartAsync(null, ClusterId, [.. SiloProcess.AgentlessNodes, "--embedded-agent", "false", $"--WatchCache:EventWindow={EventWindow}"]);
        Http = Silo.CreateHttpClient();
    }

    /// <summary>Applies manifests through the granary CLI and fails the test with its output if that fails.</summary>
    public async Task ApplyAsync(string yaml)
    {
        var r = await Cli.RunAsync(["apply", "-f", "-"], stdin: yaml);
        if (r.ExitCode != 0)
            Assert.Fail($"granary apply failed: {r}");
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_silo is not null)
            await _silo.DisposeAsync();
        ScratchDirectory.Remove(_dir);
    }

    public static string Pod(string name, string app, string? nodeName = null) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          labels:
            app: {app}
        spec:
        {(nodeName is null ? "" : $"  nodeName: {nodeName}\n")}  containers:
          - name: main
            image: local/busybox:1
            command: [sleep, "3600"]
        ---

        """;

    public static string Node(string name) => $"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {name}
          labels:
            kubernetes.io/hostname: {name}
            node-role.kubernetes.io/worker: ""
        status:
          capacity:
            cpu: "4"
            memory: 4Gi
            pods: "110"
          conditions:
          - type: Ready
            status: "True"
        ---

        """;
}
