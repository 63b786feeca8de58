using System.Diagnostics;
using System.Diagnostics.Metrics;
using Granary.Grains.Caching;
using Granary.Grains.Events;
using Granary.NodeAgent.Observability;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Granary.Silo.Api;

/// <summary>
/// What this silo holds in memory and the caps that bound it, as gauges of the one /metrics pipeline
/// (<see cref="MetricsPipeline"/>): the process's RSS and GC heap; grain activations on this silo by grain class; per
/// kind, the objects in the watch cache and the watch history with the bytes of their stored JSON; the caps of the
/// history and of events; the entries of Orleans' grain directory cache and its cap. The soak command and its test
/// read them to show memory stays bounded. Each gauge is read when /metrics is scraped.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    public const string MeterName = "Granary.Silo";

    private static readonly TimeSpan StatisticsTimeout = TimeSpan.FromSeconds(5);

    private readonly Meter _meter;
    private readonly IGrainFactory _grains;
    private readonly ILocalSiloDetails _silo;
    private readonly object _statisticsGate = new();
    private (long At, List<(string Class, int Count)> ByClass)? _statistics;

    public MetricsEndpoint(IMeterFactory meters, WatchCache cache, IOptions<EventOptions> eventOptions, IGrainFactory grains, ILocalSiloDetails silo,
        GrainDirectoryCacheSize directoryCache, IOptions<GrainDirectoryOptions> directoryOptions)
    {
        _meter = meters.Create(MeterName);
        _grains = grains;
        _silo = silo;
        var events = eventOptions.Value;
        var directory = directoryOptions.Value;
        Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", () =>
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        });
        Gauge("dotnet_gc_heap_size_bytes", "The GC heap after the last collection, fragmentation included.", () => GC.GetGCMemoryInfo().HeapSizeBytes);
        Gauge("dotnet_gc_committed_bytes", "Memory the GC has committed from the operating system.", () => GC.GetGCMemoryInfo().TotalCommittedBytes);
        Gauge("dotnet_gc_fragmented_bytes", "Free space inside the GC heap after the last collection.", () => GC.GetGCMemoryInfo().FragmentedBytes);
        MemoryBreakdownMetrics.Register(_meter);
        // Full collections are System.Runtime's dotnet_gc_collections_total{gc_heap_generation="gen2"}.

        Gauge("granary_grain_activations", "Grain activations on this silo.", () => ActivationsByClass().Sum(c => (long)c.Count));
        _meter.CreateObservableGauge<long>("granary_grain_activations_by_class",
            () => ActivationsByClass().Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("class", c.Class))),
            null, "Grain activations on this silo, by grain class.");

        PerKind(cache, "granary_watch_cache_objects", "Objects held in this silo's watch cache.", s => s.Objects);
        PerKind(cache, "granary_watch_cache_object_bytes", "Bytes of stored JSON of the objects held in the watch cache.", s => s.ObjectBytes);
        PerKind(cache, "granary_watch_cache_history_events", "Changes kept in the watch history, for watches to resume from.", s => s.HistoryEvents);
        PerKind(cache, "granary_watch_cache_history_bytes", "Bytes of stored JSON of the changes kept in the watch history.", s => s.HistoryBytes);
        Gauge("granary_watch_cache_history_limit_events", "The cap on changes kept per kind (WatchCache:EventWindow).", () => cache.Options.EventWindow);
        Gauge("granary_watch_cache_history_limit_bytes", "The cap on bytes of changes kept per kind (WatchCache:EventWindowBytes).", () => cache.Options.EventWindowBytes);
        Gauge("granary_events_limit_count", "The cap on events kept (Events:MaxCount).", () => events.MaxCount);
        Gauge("granary_events_limit_bytes", "The cap on bytes of events kept (Events:MaxBytes).", () => events.MaxBytes);
        _meter.CreateObservableGauge<long>("granary_grain_directory_cache_entries",
            () => directoryCache.Entries() is { } entries ? [new Measurement<long>(entries)] : [],
            null, "Entries in this silo's Orleans grain directory cache.");
        Gauge("granary_grain_directory_cache_limit_entries", "The cap on entries of the grain directory cache (GrainDirectory:CacheSize).", () => directory.CacheSize);
    }

    /// <summary>Serves /metrics (behind the API's authentication and authorization) and starts the silo's gauges.</summary>
    public static void Map(IEndpointRouteBuilder api)
    {
        api.ServiceProvider.GetRequiredService<MetricsEndpoint>();
        api.ServiceProvider.GetRequiredService<Observability.ClusterStateMetrics>();
        api.MapGranaryMetrics();
    }

    public void Dispose() => _meter.Dispose();

    private void Gauge(string name, string help, Func<long> value) => _meter.CreateObservableGauge(name, value, null, help);

    private void PerKind(WatchCache cache, string name, string help, Func<KindCacheSize, long> value) =>
        _meter.CreateObservableGauge<long>(name,
            () => cache.All.Select(c => new Measurement<long>(value(c.Size), new KeyValuePair<string, object?>("resource", c.Kind.Plural))),
            null, help);

    /// <summary>
    /// Activations on this silo by grain class, asked of the management grain once per scrape (both activation gauges
    /// read it within the same second). A silo too busy to answer in time reports no activations rather than stall the scrape.
    /// </summary>
    private List<(string Class, int Count)> ActivationsByClass()
    {
        lock (_statisticsGate)
        {
            if (_statistics is { } held && Stopwatch.GetElapsedTime(held.At) < TimeSpan.FromSeconds(1))
                return held.ByClass;
            List<(string, int)> byClass;
            try
            {
                var statistics = _grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([_silo.SiloAddress])
                    .WaitAsync(StatisticsTimeout).GetAwaiter().GetResult();
                byClass = [.. statistics.GroupBy(s => ShortName(s.GrainType)).Select(g => (g.Key, g.Sum(s => s.ActivationCount)))];
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                byClass = [];
            }
            _statistics = (Stopwatch.GetTimestamp(), byClass);
            return byClass;
        }
    }

    /// <summary>"Granary.Grains.Resources.PodGrain" from a grain type as Orleans reports it (a full or assembly-qualified class name).</summary>
    private static string ShortName(string grainType)
    {
        var name = grainType.Split(',')[0];
        return name[(name.LastIndexOf('.') + 1)..].Replace("\"", "", StringComparison.Ordinal);
    }
}
