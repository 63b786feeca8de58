using System.Diagnostics;
using System.Globalization;
using System.Text;
using Granary.Grains.Caching;
using Granary.Grains.Events;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Granary.Silo.Api;

/// <summary>
/// /metrics in the Prometheus text format, as kube-apiserver serves it: what this silo holds in memory and the caps
/// that bound it. The process's RSS and GC heap; grain activations on this silo by grain class; per kind, the objects in
/// the watch cache and the watch history with the bytes of their stored JSON; the caps of the history and of events;
/// the entries of Orleans' grain directory cache and its cap. The soak command and its test read it to show memory stays
/// bounded.
/// </summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/metrics", async (WatchCache cache, IOptions<EventOptions> events, IGrainFactory grains, ILocalSiloDetails silo,
            GrainDirectoryCacheSize directoryCache, IOptions<GrainDirectoryOptions> directory) =>
            Results.Text(await RenderAsync(cache, events.Value, grains, silo, directoryCache, directory.Value), "text/plain; version=0.0.4; charset=utf-8"));

    private static async Task<string> RenderAsync(WatchCache cache, EventOptions events, IGrainFactory grains, ILocalSiloDetails silo,
        GrainDirectoryCacheSize directoryCache, GrainDirectoryOptions directory)
    {
        var text = new StringBuilder();
        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        Gauge(text, "process_resident_memory_bytes", "Resident memory size in bytes.", process.WorkingSet64);
        Gauge(text, "dotnet_gc_heap_size_bytes", "The GC heap after the last collection, fragmentation included.", gc.HeapSizeBytes);
        Gauge(text, "dotnet_gc_committed_bytes", "Memory the GC has committed from the operating system.", gc.TotalCommittedBytes);
        Gauge(text, "dotnet_gc_fragmented_bytes", "Free space inside the GC heap after the last collection.", gc.FragmentedBytes);
        Gauge(text, "dotnet_gc_collections_total{generation=\"2\"}", "Full (generation 2) collections since start.", GC.CollectionCount(2), "dotnet_gc_collections_total");
        MemoryBreakdownMetrics.Append(text);

        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([silo.SiloAddress]);
        var byClass = statistics.GroupBy(s => ShortName(s.GrainType)).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        Gauge(text, "granary_grain_activations", "Grain activations on this silo.", byClass.Sum(g => g.Sum(s => s.ActivationCount)));
        Header(text, "granary_grain_activations_by_class", "Grain activations on this silo, by grain class.");
        foreach (var g in byClass)
            Sample(text, $"granary_grain_activations_by_class{{class=\"{g.Key}\"}}", g.Sum(s => s.ActivationCount));

        var sizes = cache.All.Select(c => (c.Kind.Plural, c.Size)).OrderBy(s => s.Plural, StringComparer.Ordinal).ToList();
        PerKind(text, "granary_watch_cache_objects", "Objects held in this silo's watch cache.", sizes, s => s.Objects);
        PerKind(text, "granary_watch_cache_object_bytes", "Bytes of stored JSON of the objects held in the watch cache.", sizes, s => s.ObjectBytes);
        PerKind(text, "granary_watch_cache_history_events", "Changes kept in the watch history, for watches to resume from.", sizes, s => s.HistoryEvents);
        PerKind(text, "granary_watch_cache_history_bytes", "Bytes of stored JSON of the changes kept in the watch history.", sizes, s => s.HistoryBytes);
        Gauge(text, "granary_watch_cache_history_limit_events", "The cap on changes kept per kind (WatchCache:EventWindow).", cache.Options.EventWindow);
        Gauge(text, "granary_watch_cache_history_limit_bytes", "The cap on bytes of changes kept per kind (WatchCache:EventWindowBytes).", cache.Options.EventWindowBytes);
        Gauge(text, "granary_events_limit_count", "The cap on events kept (Events:MaxCount).", events.MaxCount);
        Gauge(text, "granary_events_limit_bytes", "The cap on bytes of events kept (Events:MaxBytes).", events.MaxBytes);
        if (directoryCache.Entries() is { } entries)
            Gauge(text, "granary_grain_directory_cache_entries", "Entries in this silo's Orleans grain directory cache.", entries);
        Gauge(text, "granary_grain_directory_cache_limit_entries", "The cap on entries of the grain directory cache (GrainDirectory:CacheSize).", directory.CacheSize);
        return text.ToString();
    }

    /// <summary>"Granary.Grains.Resources.PodGrain" from a grain type as Orleans reports it (a full or assembly-qualified class name).</summary>
    private static string ShortName(string grainType)
    {
        var name = grainType.Split(',')[0];
        return name[(name.LastIndexOf('.') + 1)..].Replace("\"", "", StringComparison.Ordinal);
    }

    private static void PerKind(StringBuilder text, string name, string help, List<(string Plural, KindCacheSize Size)> sizes, Func<KindCacheSize, long> value)
    {
        Header(text, name, help);
        foreach (var (plural, size) in sizes)
            Sample(text, $"{name}{{resource=\"{plural}\"}}", value(size));
    }

    private static void Gauge(StringBuilder text, string sample, string help, long value, string? family = null)
    {
        Header(text, family ?? sample, help);
        Sample(text, sample, value);
    }

    private static void Header(StringBuilder text, string name, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" gauge\n");

    private static void Sample(StringBuilder text, string sample, long value) =>
        text.Append(sample).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
