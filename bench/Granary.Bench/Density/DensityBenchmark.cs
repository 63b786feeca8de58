using System.Diagnostics;
using System.Net;
using System.Text;
using Granary.Client;

namespace Granary.Bench;

/// <summary>
/// The density run against a started cluster and hollow nodes: waits until every hollow node is Ready, watches the
/// pods, creates them over HTTPS (C calls in flight, at most --rate per second) while a background reader gets and
/// lists pods and a timeline samples the processes, and waits until the watch has seen every pod Running.
/// </summary>
internal sealed class DensityBenchmark(LocalCluster cluster, HollowProcesses hollow, GranaryClient client, DensityOptions options, TextWriter output)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    public async Task<DensityRun> RunAsync(CancellationToken ct)
    {
        await HollowNodesReady.WaitAsync(client, options.Nodes, output, ct);
        await using var watch = await PodWatch.StartAsync(client.Pods, options.Pods, [PodMilestone.Bound, PodMilestone.Running], ct);
        using var http = cluster.Api.CreateClient(RequestTimeout, options.Concurrency);
        using var readerHttp = cluster.Api.CreateClient(RequestTimeout, 1);
        var startedAt = new long[options.Pods];
        var returnedAt = new long[options.Pods];
        var created = 0;
        var podBytes = 0;
        var first = Stopwatch.GetTimestamp();
        output.WriteLine($"creating {options.Pods} pods ({options.Concurrency} in flight, {(options.Rate is { } r ? $"{r}/s" : "full speed")}) on {options.Nodes} hollow nodes");

        IReadOnlyList<TimelineRow> timeline;
        IReadOnlyList<ApiSample> reads;
        await using (var samples = new DensityTimeline(first, () => new PodCounts(Volatile.Read(ref created), watch[PodMilestone.Bound].Reached, watch[PodMilestone.Running].Reached), cluster.Silos.Select(s => s.Pid).ToList(),
            hollow.Processes.Select(p => p.Pid).ToList(), cluster.Redis, options.Pods, output))
        {
            await using (var reader = new ApiReader(readerHttp, first,
                random => Volatile.Read(ref created) is > 0 and var done ? BenchObjects.PodName(random.Next(done), options.Pods) : null))
            {
                await InFlight.ForEachAsync(options.Pods, options.Concurrency, async (i, token) =>
                {
                    if (options.Rate is { } rate && Stopwatch.GetElapsedTime(first) < TimeSpan.FromSeconds((double)i / rate))
                        await Task.Delay(TimeSpan.FromSeconds((double)i / rate) - Stopwatch.GetElapsedTime(first), token);
                    startedAt[i] = Stopwatch.GetTimestamp();
                    var bytes = await CreateAsync(http, i, token);
                    returnedAt[i] = Stopwatch.GetTimestamp();
                    if (i == 0)
                        podBytes = bytes;
                    Interlocked.Increment(ref created);
                }, ct);
                var left = options.RunningTimeout - Stopwatch.GetElapsedTime(first);
                if (!await watch[PodMilestone.Running].WaitAllAsync(left, ct))
                {
                    throw new BenchmarkException($"{options.Pods - watch[PodMilestone.Running].Reached} of {options.Pods} pods were not Running " +
                        $"{options.RunningTimeout.TotalSeconds:0} s after the first create (bound {watch[PodMilestone.Bound].Reached}); e.g. " +
                        string.Join(", ", watch.SomeMissing(PodMilestone.Running, 5).Select((name, k) => $"{name} (phase {watch.Latest(BenchObjects.PodIndex(name))?.Status?.Phase ?? "unseen"}, node {watch.Latest(BenchObjects.PodIndex(name))?.Spec.NodeName ?? "none"})")));
                }
                reads = reader.Samples;
            }
            timeline = samples.Rows;
        }
        var bound = watch[PodMilestone.Bound];
        var running = watch[PodMilestone.Running];
        return new DensityRun(options, first, startedAt, returnedAt,
            [.. Enumerable.Range(0, options.Pods).Select(bound.At)], [.. Enumerable.Range(0, options.Pods).Select(running.At)],
            reads, timeline, podBytes, watch.Events);
    }

    /// <summary>Creates pod i; returns the size of the object the API answered with (the pod as stored, in JSON).</summary>
    private async Task<int> CreateAsync(HttpClient http, int i, CancellationToken ct)
    {
        var name = BenchObjects.PodName(i, options.Pods);
        // dnsPolicy Default: hollow nodes serve no cluster DNS, and ClusterFirst would add a warning event per pod.
        // No service-account token: a hollow node would mount a tmpfs per pod for it, which measures the host's mount table.
        var body = $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"granary-density"}},"spec":{"dnsPolicy":"Default","automountServiceAccountToken":false,"containers":[{"name":"main","image":"registry.local/pause:3.9"}]}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/api/v1/namespaces/{BenchObjects.Namespace}/pods", content, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new BenchmarkException($"creating pod {name} failed: HTTP {(int)response.StatusCode}: {(text.Length > 300 ? text[..300] + " …" : text)}");
        return Encoding.UTF8.GetByteCount(text);
    }
}
