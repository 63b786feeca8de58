using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Granary.Tests.Integration.ApiSecurity;
using Granary.Tests.Integration.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Granary.Tests.Integration.Soak;

/// <summary>
/// The short soak: a Redis-backed silo with small caps takes mixed traffic from the KubernetesClient library (pods
/// created, read, listed and deleted, events recorded, watches that come and go) until the caps have been passed
/// several times over. What is checked does not depend on the machine's speed: no request fails, the watch history
/// never holds more than its caps in any sample of /metrics, the events kept come back under their caps, event grains
/// do not linger, Orleans' grain directory cache (an entry per grain ever activated, pods and events alike) stays under
/// its cap although far more grains come and go, the managed heap's ceiling given to the silo is the GC's (with the
/// live heap after full collections beside it on /metrics), and a watch from before the history's start is told to list again
/// (410). The RSS over time is the soak command's job (bench/Granary.Bench soak), not a test's.
/// </summary>
public sealed class SoakTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int Workers = 4;
    private const int LivePodsPerWorker = 10;
    private const long HistoryLimitBytes = 64 * 1024;
    private const int HistoryLimitEvents = 2000;
    private const int EventsLimitCount = 100;
    private const long EventsLimitBytes = 80_000;
    private const int DirectoryCacheLimit = 300;
    // Generous beside the ~100 MiB this silo holds, so it only shows that the setting reaches the GC and /metrics.
    private const long HeapLimitBytes = 1L << 30;
    private static readonly TimeSpan MinimumTraffic = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan TrafficDeadline = TimeSpan.FromSeconds(75);

    private readonly ConcurrentQueue<string> _errors = new();
    private int _eventsCreated;

    [Fact]
    public async Task MixedTraffic_KeepsTheWatchHistoryAndEventsUnderTheirCaps_WithoutErrors()
    {
        await using var silo = await SiloProcess.StartAsync(redis.Endpoint, $"soak-{Guid.NewGuid():N}"[..13],
        [
            .. SiloProcess.AgentlessNodes,
            $"--WatchCache:EventWindow={HistoryLimitEvents}", $"--WatchCache:EventWindowBytes={HistoryLimitBytes}",
            $"--Events:MaxCount={EventsLimitCount}", $"--Events:MaxBytes={EventsLimitBytes}",
            $"--GrainDirectory:CacheSize={DirectoryCacheLimit}", $"--Memory:GcHeapLimit={HeapLimitBytes}",
        ]);
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(silo.Kubeconfig));
        var kubeconfig = KubeconfigView.Read(silo.Kubeconfig);
        using var http = kubeconfig.Client(silo.ApiUrl, kubeconfig.Token);
        var namespaces = new List<string>();
        for (var w = 0; w < Workers; w++)
        {
            namespaces.Add($"soak-{Guid.NewGuid():N}"[..13]);
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = namespaces[w] } });
        }
        // A version from before the traffic (a fresh cluster's pods are at "0", which means "from now" to a watch).
        var startVersion = (await client.CoreV1.CreateNamespacedPodAsync(Pod("soak-start"), namespaces[0])).Metadata.ResourceVersion;

        // Phase 1: traffic, with /metrics sampled throughout.
        using var stop = new CancellationTokenSource();
        var samples = new List<Metrics>();
        var started = Stopwatch.StartNew();
        var traffic = Task.WhenAll(namespaces.SelectMany((ns, w) => new[] { LoopAsync(client, ns, w, stop.Token), WatchAsync(http, ns, w, stop.Token) }));
        while (started.Elapsed < TrafficDeadline && !traffic.IsCompleted
               && (started.Elapsed < MinimumTraffic || Volatile.Read(ref _eventsCreated) < 5 * EventsLimitCount))
        {
            samples.Add(await Metrics.ReadAsync(http));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        await stop.CancelAsync();
        await traffic;
        Assert.True(_errors.IsEmpty, $"{_errors.Count} requests failed; the first: {_errors.FirstOrDefault()}");
        Assert.True(_eventsCreated >= 2 * EventsLimitCount,
            $"phase traffic: only {_eventsCreated} events were created in {started.Elapsed.TotalSeconds:0} s, too few to pass the cap of {EventsLimitCount} twice");
        Assert.True(_eventsCreated >= DirectoryCacheLimit,
            $"phase traffic: only {_eventsCreated} events (and as many pods) were created, too few grains to pass the directory cache's cap of {DirectoryCacheLimit}");

        // Every sample: the watch history within both caps, for every kind.
        Assert.NotEmpty(samples);
        foreach (var sample in samples)
        {
            Assert.Equal(HistoryLimitBytes, sample.Value("granary_watch_cache_history_limit_bytes"));
            foreach (var (name, value) in sample.Family("granary_watch_cache_history_bytes"))
                Assert.True(value <= HistoryLimitBytes, $"{name} was {value}, over the cap of {HistoryLimitBytes} bytes");
            foreach (var (name, value) in sample.Family("granary_watch_cache_history_events"))
                Assert.True(value <= HistoryLimitEvents, $"{name} was {value}, over the cap of {HistoryLimitEvents} changes");
        }
        Assert.Contains(samples, s => s.Value("granary_watch_cache_history_bytes{resource=\"pods\"}") > HistoryLimitBytes / 2);
        Assert.All(samples, s => Assert.Equal(DirectoryCacheLimit, s.Value("granary_grain_directory_cache_limit_entries")));
        // The cache filled up to its cap: far more grains (a pod grain per pod, an event grain per event) came and went.
        Assert.Contains(samples, s => s.Value("granary_grain_directory_cache_entries") > DirectoryCacheLimit / 2);
        // The managed heap's ceiling is the GC's, and the live heap after full collections is there to compare with it.
        Assert.All(samples, s => Assert.Equal(HeapLimitBytes, s.Value("dotnet_gc_heap_limit_bytes")));
        Assert.Contains(samples, s => s.Value("dotnet_gc_live_after_full_bytes") is > 0 and < HeapLimitBytes);

        // Phase 2: once the traffic stops, events are back under their caps, event grains are gone, and the grain
        // directory cache holds no more than its cap (while traffic runs, an entry being added may pass it for a moment).
        var settled = await PollAsync(http, m =>
            m.Value("granary_watch_cache_objects{resource=\"events\"}") <= EventsLimitCount
            && m.Value("granary_watch_cache_object_bytes{resource=\"events\"}") <= EventsLimitBytes
            && (m.Value("granary_grain_activations_by_class{class=\"EventGrain\"}") ?? 0) == 0
            && m.Value("granary_grain_directory_cache_entries") <= DirectoryCacheLimit);
        Assert.True(settled.Ok, $"phase settle: events, event grains and the grain directory cache did not come under their caps within 20 s; " +
            $"last /metrics: {settled.Last.Summary("events", "EventGrain", "grain_directory_cache")}");

        // Phase 3: a watch from before the traffic is older than the history now holds: 410, list again.
        var watch = await http.GetStringAsync($"/api/v1/namespaces/{namespaces[0]}/pods?watch=true&resourceVersion={startVersion}&timeoutSeconds=5");
        Assert.Contains("\"type\":\"ERROR\"", watch, StringComparison.Ordinal);
        Assert.Contains("\"code\":410", watch, StringComparison.Ordinal);
    }

    private async Task LoopAsync(Kubernetes client, string ns, int worker, CancellationToken ct)
    {
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var name = $"soak-{worker}-{i:00000}";
            await GuardAsync($"create pod {ns}/{name}", () => client.CoreV1.CreateNamespacedPodAsync(Pod(name), ns, cancellationToken: CancellationToken.None));
            await GuardAsync($"get pod {ns}/{name}", () => client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: CancellationToken.None));
            await GuardAsync($"list pods of {ns}", () => client.CoreV1.ListNamespacedPodAsync(ns, limit: 20, cancellationToken: CancellationToken.None));
            await GuardAsync($"create event about {ns}/{name}", async () =>
            {
                await client.CoreV1.CreateNamespacedEventAsync(Event(ns, name, i), ns, cancellationToken: CancellationToken.None);
                Interlocked.Increment(ref _eventsCreated);
            });
            if (i >= LivePodsPerWorker)
            {
                var old = $"soak-{worker}-{i - LivePodsPerWorker:00000}";
                await GuardAsync($"delete pod {ns}/{old}", () => client.CoreV1.DeleteNamespacedPodAsync(old, ns, cancellationToken: CancellationToken.None));
            }
        }
    }

    /// <summary>Watches that end by the server's timeoutSeconds or are dropped by the client, one after another.</summary>
    private async Task WatchAsync(HttpClient http, string ns, int worker, CancellationToken ct)
    {
        var random = new Random(worker);
        while (!ct.IsCancellationRequested)
        {
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (random.Next(2) == 0)
                watch.CancelAfter(TimeSpan.FromMilliseconds(random.Next(200, 2000)));
            try
            {
                using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/pods?watch=true&timeoutSeconds={random.Next(1, 4)}", HttpCompletionOption.ResponseHeadersRead, watch.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                    _errors.Enqueue($"watch of {ns}: HTTP {(int)response.StatusCode}");
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(watch.Token));
                while (await reader.ReadLineAsync(watch.Token) is not null)
                {
                }
            }
            catch (OperationCanceledException) when (watch.IsCancellationRequested)
            {
                // Dropped by the client, as planned, or the traffic is over.
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                _errors.Enqueue($"watch of {ns}: {e.Message}");
            }
        }
    }

    private async Task GuardAsync(string what, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or TaskCanceledException)
        {
            _errors.Enqueue(e is HttpOperationException h ? $"{what}: HTTP {(int)h.Response.StatusCode}: {h.Response.Content}" : $"{what}: {e.Message}");
        }
    }

    private static V1Pod Pod(string name) => new()
    {
        // No node runs them: the scheduler reports each unschedulable, which makes events of its own.
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "soak" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "local/busybox:1", Command = ["sleep", "3600"] }] },
    };

    private static Corev1Event Event(string ns, string pod, int i) => new()
    {
        Metadata = new V1ObjectMeta { Name = $"{pod}.{i:x8}", NamespaceProperty = ns },
        InvolvedObject = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", NamespaceProperty = ns, Name = pod },
        Reason = "SoakTest",
        Message = $"iteration {i}",
        Type = "Normal",
        Count = 1,
        FirstTimestamp = DateTime.UtcNow,
        LastTimestamp = DateTime.UtcNow,
        Source = new V1EventSource { Component = "granary-soak-test" },
    };

    private static async Task<(bool Ok, Metrics Last)> PollAsync(HttpClient http, Func<Metrics, bool> done)
    {
        var deadline = Stopwatch.StartNew();
        var last = await Metrics.ReadAsync(http);
        while (!done(last) && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            last = await Metrics.ReadAsync(http);
        }
        return (done(last), last);
    }

    /// <summary>One read of the silo's /metrics: samples by their name with labels.</summary>
    private sealed class Metrics(Dictionary<string, double> samples)
    {
        public static async Task<Metrics> ReadAsync(HttpClient http)
        {
            var text = await http.GetStringAsync("/metrics");
            var samples = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var line in text.Split('\n').Where(l => l.Length > 0 && l[0] != '#'))
            {
                // NAME{LABELS} VALUE [TIMESTAMP]: the key is the name with its labels as written, and a bare name without labels
            // (OpenTelemetry's exporter writes "name{} value").
                var end = line.IndexOf('}', StringComparison.Ordinal) is var close and >= 0 ? close + 1 : line.IndexOf(' ', StringComparison.Ordinal);
                if (double.TryParse(line[end..].Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    samples[line[..end] is var key && key.EndsWith("{}", StringComparison.Ordinal) ? key[..^2] : key] = value;
            }
            return new Metrics(samples);
        }

        public double? Value(string name) => samples.TryGetValue(name, out var v) ? v : null;

        public IEnumerable<(string Name, double Value)> Family(string family) =>
            samples.Where(s => s.Key.StartsWith(family + "{", StringComparison.Ordinal)).Select(s => (s.Key, s.Value));

        public string Summary(params string[] parts) =>
            string.Join(", ", samples.Where(s => parts.Any(p => s.Key.Contains(p, StringComparison.Ordinal))).Select(s => $"{s.Key} {s.Value}"));
    }
}
