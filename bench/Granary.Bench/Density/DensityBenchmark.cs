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
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(5);

    public async Task<DensityRun> RunAsync(CancellationToken ct)
    {
        await HollowNodesReady.WaitAsync(client, options.Nodes, output, ct);
        var siloPids = cluster.Silos.Select(s => s.Pid).ToList();
        // What the silos do with no pods coming (heartbeats, timers), subtracted from the run's per-pod figures.
        var idleStart = await SiloMessaging.ReadAsync(cluster.Apis, siloPids, ct);
        var idleFrom = Stopwatch.GetTimestamp();
        await Task.Delay(IdleWindow, ct);
        var messagingBefore = await SiloMessaging.ReadAsync(cluster.Apis, siloPids, ct);
        var idleSeconds = Stopwatch.GetElapsedTime(idleFrom).TotalSeconds;
        await using var watch = await PodWatch.StartAsync(client.Pods, options.Pods, [PodMilestone.Bound, PodMilestone.Running], ct);
        // One connection pool per silo, pod i created through silo i mod S, as clients behind a load balancer spread.
        var creators = cluster.Apis.Select(api => api.CreateClient(RequestTimeout, options.Concurrency)).ToList();
        using var disposeCreators = new CreatorClients(creators);
        // The reader on the second silo when there is one: the creates' first share and the watch are elsewhere.
        using var readerHttp = cluster.Apis[1 % cluster.Apis.Count].CreateClient(RequestTimeout, 1);
        var startedAt = new long[options.Pods];
        var returnedAt = new long[options.Pods];
        var created = 0;
        var podBytes = 0;
        var first = Stopwatch.GetTimestamp();
        output.WriteLine($"creating {options.Pods} pods ({options.Concurrency} in flight, {(options.Rate is { } r ? $"{r}/s" : "full speed")}) on {options.Nodes} hollow nodes" +
            $" through {creators.Count} silo API(s) round robin");

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
                    var bytes = await CreateAsync(creators[i % creators.Count], i, token);
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
                var runSeconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
                PrintMessaging(SiloMessaging.ForPods(idleStart, messagingBefore, await SiloMessaging.ReadAsync(cluster.Apis, siloPids, ct), runSeconds / idleSeconds));
            }
            timeline = samples.Rows;
        }
        var bound = watch[PodMilestone.Bound];
        var running = watch[PodMilestone.Running];
        return new DensityRun(options, first, startedAt, returnedAt,
            [.. Enumerable.Range(0, options.Pods).Select(bound.At)], [.. Enumerable.Range(0, options.Pods).Select(running.At)],
            reads, timeline, podBytes, watch.Events);
    }

    /// <summary>What the silos did per pod from the first create until every pod was Running, less what they do idle.</summary>
    private void PrintMessaging(IReadOnlyList<SiloMessaging> work)
    {
        output.WriteLine($"per pod, create to Running, less the idle rate, {cluster.Silos.Count} silo(s), load {ProcessHelpers.LoadAverage()}:");
        foreach (var line in SiloMessaging.PerPod(work, options.Pods))
            output.WriteLine(line);
        var total = SiloMessaging.Total(work, options.Pods);
        output.WriteLine($"density-silos: silos={cluster.Silos.Count} cross_silo_messages_per_pod={total.CrossSilo:0.00} local_messages_per_pod={total.Local:0.00} " +
            $"gateway_messages_per_pod={total.Gateway:0.00} remote_directory_lookups_per_pod={total.DirectoryRemote:0.00} silo_cpu_ms_per_pod={total.CpuSeconds * 1000:0.00}");
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
