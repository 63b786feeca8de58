using System.Globalization;
using System.Runtime;
using System.Text;

namespace Granary.Silo.Api;

/// <summary>
/// Where the silo's resident memory is, for /metrics: anonymous, file-backed and shared RSS as the kernel counts them
/// (/proc/self/status), threads, the GC heap by generation after the last collection (the large and pinned object heaps
/// apart), and what the JIT has compiled. Read beside <c>dotnet_gc_committed_bytes</c>, they tell a growing managed
/// heap from memory the GC keeps committed, from native memory (anonymous RSS the GC did not commit: thread stacks,
/// malloc arenas of OpenSSL and the runtime) and from code (mapped assemblies; JIT'd code, which sits in shared
/// memory because of W^X double mapping).
/// </summary>
internal static class MemoryBreakdownMetrics
{
    private static readonly string[] Generations = ["0", "1", "2", "loh", "poh"];

    public static void Append(StringBuilder text)
    {
        var status = ReadStatus();
        Gauge(text, "process_resident_memory_anon_bytes", "Anonymous resident memory (GC heap, native allocations, stacks).", status.GetValueOrDefault("RssAnon") * 1024);
        Gauge(text, "process_resident_memory_file_bytes", "File-backed resident memory (mapped assemblies and libraries).", status.GetValueOrDefault("RssFile") * 1024);
        Gauge(text, "process_resident_memory_shmem_bytes", "Shared resident memory (JIT'd code, double-mapped for W^X).", status.GetValueOrDefault("RssShmem") * 1024);
        Gauge(text, "process_threads", "Threads of the process.", status.GetValueOrDefault("Threads"));

        var info = GC.GetGCMemoryInfo();
        Header(text, "dotnet_gc_generation_size_bytes", "Size of each GC generation after the last collection.");
        for (var g = 0; g < Generations.Length && g < info.GenerationInfo.Length; g++)
            Sample(text, $"dotnet_gc_generation_size_bytes{{generation=\"{Generations[g]}\"}}", info.GenerationInfo[g].SizeAfterBytes);
        Gauge(text, "dotnet_gc_pause_milliseconds_total", "Time spent paused in the GC since start.", (long)GC.GetTotalPauseDuration().TotalMilliseconds);
        Gauge(text, "dotnet_gc_server", "1 with server GC, 0 with workstation GC.", GCSettings.IsServerGC ? 1 : 0);
        Gauge(text, "dotnet_jit_compiled_methods_total", "Methods the JIT has compiled since start (tiering recompiles count again).", JitInfo.GetCompiledMethodCount());
        Gauge(text, "dotnet_jit_compiled_il_bytes_total", "Bytes of IL the JIT has compiled since start.", JitInfo.GetCompiledILBytes());
    }

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

    private static void Gauge(StringBuilder text, string name, string help, long value)
    {
        Header(text, name, help);
        Sample(text, name, value);
    }

    private static void Header(StringBuilder text, string name, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" gauge\n");

    private static void Sample(StringBuilder text, string sample, long value) =>
        text.Append(sample).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
