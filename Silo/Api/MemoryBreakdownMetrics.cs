using System.Globalization;
using System.Runtime;
using System.Diagnostics.Metrics;

namespace Granary.Silo.Api;

/// <summary>
/// Where the silo's resident memory is, for /metrics: anonymous, file-backed and shared RSS as the kernel counts them
/// (/proc/self/status), threads, the GC heap by generation after the last collection (the large and pinned object heaps
/// apart), the live heap after the last full collection, the heap's hard limit, and what the JIT has compiled. Read beside <c>dotnet_gc_committed_bytes</c>, they tell a growing managed
/// heap from memory the GC keeps committed, from native memory (anonymous RSS the GC did not commit: thread stacks,
/// malloc arenas of OpenSSL and the runtime) and from code (mapped assemblies; JIT'd code, which sits in shared
/// memory because of W^X double mapping).
/// </summary>
internal static class MemoryBreakdownMetrics
{
    private static readonly string[] Generations = ["0", "1", "2", "loh", "poh"];

    /// <summary>Adds the gauges to <paramref name="meter"/>; each is read when /metrics is scraped.</summary>
    public static void Register(Meter meter)
    {
        Status(meter, "process_resident_memory_anon_bytes", "Anonymous resident memory (GC heap, native allocations, stacks).", "RssAnon", 1024);
        Status(meter, "process_resident_memory_file_bytes", "File-backed resident memory (mapped assemblies and libraries).", "RssFile", 1024);
        Status(meter, "process_resident_memory_shmem_bytes", "Shared resident memory (JIT'd code, double-mapped for W^X).", "RssShmem", 1024);
        Status(meter, "process_threads", "Threads of the process.", "Threads", 1);

        meter.CreateObservableGauge<long>("dotnet_gc_generation_size_bytes", () =>
        {
            var info = GC.GetGCMemoryInfo();
            var sizes = new List<Measurement<long>>(Generations.Length);
            for (var g = 0; g < Generations.Length && g < info.GenerationInfo.Length; g++)
                sizes.Add(new Measurement<long>(info.GenerationInfo[g].SizeAfterBytes, new KeyValuePair<string, object?>("generation", Generations[g])));
            return sizes;
        }, null, "Size of each GC generation after the last collection.");
        meter.CreateObservableGauge<long>("dotnet_gc_live_after_full_bytes",
            () => LastFullCollection() is { } full ? [new Measurement<long>(full.PromotedBytes)] : [],
            null, "Bytes that survived the last full (gen2) collection: the live managed heap, without garbage or free space.");
        meter.CreateObservableGauge("dotnet_gc_heap_limit_bytes", () => GcHeapLimit.RuntimeLimit(), null,
            "The managed heap's hard limit (Memory:GcHeapLimit, or the runtime's own), 0 for none.");
        meter.CreateObservableGauge("dotnet_gc_pause_milliseconds_total", () => (long)GC.GetTotalPauseDuration().TotalMilliseconds, null, "Time spent paused in the GC since start.");
        meter.CreateObservableGauge("dotnet_gc_server", () => GCSettings.IsServerGC ? 1L : 0L, null, "1 with server GC, 0 with workstation GC.");
        meter.CreateObservableGauge("dotnet_jit_compiled_methods_total", () => JitInfo.GetCompiledMethodCount(), null, "Methods the JIT has compiled since start (tiering recompiles count again).");
        meter.CreateObservableGauge("dotnet_jit_compiled_il_bytes_total", () => JitInfo.GetCompiledILBytes(), null, "Bytes of IL the JIT has compiled since start.");
    }

    /// <summary>
    /// The last full collection, background or blocking, or null before the first. Only a full collection marks every
    /// generation, so only its survivors are the live heap; sizes after an ephemeral collection still hold gen2's garbage.
    /// </summary>
    private static GCMemoryInfo? LastFullCollection()
    {
        var background = GC.GetGCMemoryInfo(GCKind.Background);
        var blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var last = background.Index >= blocking.Index ? background : blocking;
        return last.Index == 0 ? null : last;
    }

    /// <summary>A gauge of one /proc/self/status field, scaled (kB to bytes); absent where there is no /proc.</summary>
    private static void Status(Meter meter, string name, string help, string field, long scale) =>
        meter.CreateObservableGauge<long>(name,
            () => ReadStatus().TryGetValue(field, out var value) ? [new Measurement<long>(value * scale)] : [],
            null, help);

    /// <summary>The kB and count fields of /proc/self/status (empty where there is no /proc).</summary>
    private static Dictionary<string, long> ReadStatus()
    {
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        const string path = "/proc/self/status";
        if (!File.Exists(path))
            return fields;
        foreach (var line in File.ReadLines(path))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                continue;
            var value = line[(colon + 1)..].Trim();
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            if (long.TryParse(space < 0 ? value : value[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                fields[line[..colon]] = n;
        }
        return fields;
    }
}
