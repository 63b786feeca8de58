using k8s;
using k8s.Models;
using static Granary.Tests.Integration.KubeApi.KubernetesClientSupport;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// Pod logs through the official KubernetesClient, from pods that really run (host processes on the silo's embedded
/// agent): a whole log once the pod has finished, and a followed log whose lines arrive while the container runs.
/// </summary>
public sealed class KubernetesClientLogsTests(KubeApiAgentFixture api) : IClassFixture<KubeApiAgentFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Kubernetes _client = Connect(api.Silo);
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-kc-logs-").FullName;

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static V1Pod Script(string name, string script) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = KubeApiAgentFixture.NodeName,
            RestartPolicy = "Never",
            Containers = [new V1Container { Name = "main", Image = "local/none:1", Command = ["sh", "-c", script] }],
        },
    };

    [Fact]
    public async Task ReadNamespacedPodLog_ReturnsWhatTheContainerPrinted()
    {
        await _client.CoreV1.CreateNamespacedPodAsync(Script("kc-echo", "echo one; echo two; echo three"), "default");
        // A barrier, not a poll: the pod has written all three lines once it is Succeeded.
        await WaitForPhaseAsync("kc-echo", "Succeeded");

        using var whole = await _client.CoreV1.ReadNamespacedPodLogAsync("kc-echo", "default");
        using var tail = await _client.CoreV1.ReadNamespacedPodLogAsync("kc-echo", "default", container: "main", tailLines: 1);

        using var wholeText = new StreamReader(whole);
        using var tailText = new StreamReader(tail);
        Assert.Equal("one\ntwo\nthree\n", await wholeText.ReadToEndAsync());
        Assert.Equal("three\n", await tailText.ReadToEndAsync());
    }

    [Fact]
    public async Task ReadNamespacedPodLog_Follow_StreamsLinesAsTheyAreWritten_AndEndsWhenTheContainerStops()
    {
        // The container prints a line, then waits for the test's go-ahead before printing the second and exiting,
        // so the second line can only be read from a stream that stayed open.
        var go = Path.Combine(_dir, "go");
        await _client.CoreV1.CreateNamespacedPodAsync(
            Script("kc-follow", $"echo first; while [ ! -e '{go}' ]; do sleep 0.1; done; echo second"), "default");
        await WaitForPhaseAsync("kc-follow", "Running");
        using var cts = new CancellationTokenSource(Timeout);

        using var stream = await _client.CoreV1.ReadNamespacedPodLogAsync("kc-follow", "default", follow: true, cancellationToken: cts.Token);
        using var reader = new StreamReader(stream);
        var first = await ReadLineAsync(reader, "the first line", cts.Token);
        await File.WriteAllTextAsync(go, "", cts.Token);
        var second = await ReadLineAsync(reader, "the second line, written after the go-ahead", cts.Token);
        var end = await ReadLineAsync(reader, "the end of the stream once the container exits", cts.Token);

        Assert.Equal("first", first);
        Assert.Equal("second", second);
        Assert.Null(end);
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader, string what, CancellationToken ct)
    {
        try
        {
            return await reader.ReadLineAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new TimeoutException($"following the log of pod default/kc-follow: waited {Timeout} for {what}");
        }
    }

    /// <summary>Waits for a pod's phase through the library's own watch, from the version of a list.</summary>
    private async Task WaitForPhaseAsync(string name, string phase)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var list = await _client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: $"metadata.name={name}", cancellationToken: cts.Token);
        var last = list.Items.SingleOrDefault()?.Status?.Phase;
        if (last == phase)
            return;
        try
        {
            await foreach (var (_, pod) in _client.CoreV1.WatchListNamespacedPodAsync("default", fieldSelector: $"metadata.name={name}",
                resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
            {
                last = pod.Status?.Phase;
                if (last == phase)
                    return;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"waiting for pod default/{name} to be {phase}: last phase {last ?? "none"} after {Timeout}");
        }
        throw new InvalidOperationException($"waiting for pod default/{name} to be {phase}: the watch ended early; last phase {last ?? "none"}");
    }
}
