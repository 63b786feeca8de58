using Granary.Client;
using Granary.Model;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>kubectl get pods while a pod's init container runs, and after, on pods that really run (as host processes).</summary>
public sealed class KubectlInitContainerTests(KubeApiAgentFixture api) : IClassFixture<KubeApiAgentFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-init-").FullName;

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    [Fact]
    public async Task GetPods_ShowsInit0Of1_ThenRunning()
    {
        var go = Path.Combine(_dir, "go");
        var apply = await api.Kubectl.RunWithStdinAsync($"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: init-web
            spec:
              nodeName: {KubeApiAgentFixture.NodeName}
              initContainers:
              - name: wait
                image: local/none:1
                command: [sh, -c, "while [ ! -f {go} ]; do sleep 0.2; done"]
              containers:
              - name: main
                image: local/none:1
                command: [sh, -c, "echo up; exec sleep 300"]
            """, "apply", "-f", "-");
        Ok(apply);

        await using var client = await GranaryClient.ConnectAsync(new GranaryClientOptions { Gateways = [api.Silo.Gateway], ClusterId = api.ClusterId });
        await WaitForAsync(client, p => p.Status?.InitContainerStatuses?[0].State?.Running is not null, "its init container to run");
        var initializing = Ok(await api.Kubectl.RunAsync("get", "pod", "init-web", "--no-headers"));
        await File.WriteAllTextAsync(go, "");
        await WaitForAsync(client, p => p.Status?.Phase == "Running" && p.Status.ContainerStatuses?[0].Ready == true, "it to run, ready");
        var running = Ok(await api.Kubectl.RunAsync("get", "pod", "init-web", "--no-headers"));
        var initStatus = Ok(await api.Kubectl.RunAsync("get", "pod", "init-web", "-o", "jsonpath={.status.initContainerStatuses[0].state.terminated.reason} {.status.conditions[?(@.type==\"Initialized\")].status}"));
        Ok(await api.Kubectl.RunAsync("delete", "pod", "init-web", "--grace-period=1"));

        Assert.Equal(["init-web", "0/1", "Init:0/1", "0"], Columns(initializing.Stdout)[..4]);
        Assert.Equal(["init-web", "1/1", "Running", "0"], Columns(running.Stdout)[..4]);
        Assert.Equal("Completed True", initStatus.Stdout);
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task WaitForAsync(GranaryClient client, Func<Pod, bool> until, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Pod? last = null;
        try
        {
            await foreach (var e in client.Pods.WatchAsync(new WatchOptions { Namespace = "default", FieldSelector = "metadata.name=init-web" }, cts.Token))
            {
                last = e.Object;
                if (until(e.Object))
                    return;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"waiting for pod default/init-web: {what}; last phase {last?.Status?.Phase ?? "none"}");
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
