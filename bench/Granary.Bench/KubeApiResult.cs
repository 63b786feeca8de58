namespace Granary.Bench;

/// <summary>The figures of one kube-api run, and how they are printed.</summary>
internal sealed record KubeApiResult
{
    public required int Clients { get; init; }
    public required int Requests { get; init; }
    public required IReadOnlyList<VerbStats> Verbs { get; init; }
    public string? LoadBefore { get; init; }
    public string? LoadAfter { get; init; }

    /// <summary>VmRSS of the silo the benchmark started, once it was ready and at the end; VmHWM at the end. Null against an outside API.</summary>
    public long? SiloRssAtStartBytes { get; init; }
    public long? SiloRssAtEndBytes { get; init; }
    public long? SiloPeakRssBytes { get; init; }

    /// <summary>What the silo the benchmark started logged at warning level or above while it was ready; null otherwise.</summary>
    public string? SiloLog { get; init; }

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("== kube-api benchmark: results ==");
        Line(output, "clients", $"{Clients} (one HttpClient and connection each, one request at a time)");
        Line(output, "requests per verb", $"{Requests}");
        output.WriteLine();
        output.WriteLine($"{"verb",-18} {"count",7} {"req/s",8} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8} {"errors",7}");
        foreach (var verb in Verbs)
        {
            var latency = verb.Latency();
            output.WriteLine($"{verb.Verb,-18} {verb.Count,7} {verb.PerSecond,8:0} {latency.P50,8:0.0} {latency.P90,8:0.0} {latency.P99,8:0.0} {latency.Max,8:0.0} {verb.Errors,7}");
        }
        foreach (var verb in Verbs.Where(v => v.FirstError is not null))
            Line(output, $"first {verb.Verb.Split(' ')[0]} error", verb.FirstError!);
        output.WriteLine();
        Line(output, "silo RSS", SiloPeakRssBytes is null ? "n/a (the silo was not started by the benchmark)"
            : $"{MiB(SiloRssAtStartBytes)} when ready, {MiB(SiloRssAtEndBytes)} at the end, peak {MiB(SiloPeakRssBytes)} (VmRSS, VmHWM)");
        if (SiloLog is not null)
            Line(output, "silo log", SiloLog);
        Line(output, "load average", $"{LoadBefore ?? "?"} before, {LoadAfter ?? "?"} after (1/5/15 min; {Environment.ProcessorCount} cores)");
    }

    private static string MiB(long? bytes) => bytes is { } b ? $"{b / (1024.0 * 1024.0):0} MiB" : "?";

    private static void Line(TextWriter output, string label, string value) => output.WriteLine($"{label,-18} {value}");
}
