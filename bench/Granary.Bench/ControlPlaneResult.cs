namespace Granary.Bench;

/// <summary>The figures of one control-plane run, and how they are printed.</summary>
internal sealed record ControlPlaneResult
{
    public required int Nodes { get; init; }
    public required int Pods { get; init; }
    public required int Concurrency { get; init; }
    public required TimeSpan NodeRegistration { get; init; }

    /// <summary>From the first create call's start to the last one's return.</summary>
    public required TimeSpan CreatePhase { get; init; }
    public required LatencySummary CreateLatency { get; init; }

    /// <summary>From the first create call's start to the moment the last pod was seen bound.</summary>
    public required TimeSpan FirstCreateToAllBound { get; init; }

    /// <summary>Per pod: from its create call's return to its first watch event with spec.nodeName set.</summary>
    public required LatencySummary BindLatency { get; init; }
    public required int BoundBeforeCreateReturned { get; init; }
    public required int MarkedUnschedulable { get; init; }
    public required long WatchEvents { get; init; }
    public string? LoadBefore { get; init; }
    public string? LoadAfter { get; init; }

    /// <summary>VmHWM of the silo the benchmark started; null against an outside cluster.</summary>
    public long? SiloPeakRssBytes { get; init; }

    /// <summary>What the silo the benchmark started logged at warning level or above while it was ready; null otherwise.</summary>
    public string? SiloLog { get; init; }

    public double CreatesPerSecond => Pods / CreatePhase.TotalSeconds;

    public double PodsScheduledPerSecond => Pods / FirstCreateToAllBound.TotalSeconds;

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("== control-plane benchmark: results ==");
        Line(output, "nodes", $"{Nodes} (registered in {NodeRegistration.TotalSeconds:0.0} s, {Nodes / NodeRegistration.TotalSeconds:0}/s)");
        Line(output, "pods", $"{Pods} (create concurrency {Concurrency})");
        Line(output, "create calls/s", $"{CreatesPerSecond:0} ({Pods} calls in {CreatePhase.TotalSeconds:0.00} s)");
        Line(output, "create latency", CreateLatency.ToString());
        Line(output, "scheduling throughput", $"{PodsScheduledPerSecond:0} pods/s");
        Line(output, "first create -> all bound", $"{FirstCreateToAllBound.TotalSeconds:0.00} s");
        Line(output, "bind latency", $"{BindLatency} (create returned -> seen bound; {BoundBeforeCreateReturned} seen bound before their create returned, counted as 0)");
        Line(output, "marked Unschedulable", $"{MarkedUnschedulable} pods at some point");
        Line(output, "pod watch events", $"{WatchEvents}");
        Line(output, "silo peak RSS", SiloPeakRssBytes is { } rss ? $"{rss / (1024.0 * 1024.0):0} MiB (VmHWM)" : "n/a (the silo was not started by the benchmark)");
        if (SiloLog is not null)
            Line(output, "silo log", SiloLog);
        Line(output, "load average", $"{LoadBefore ?? "?"} before, {LoadAfter ?? "?"} after (1/5/15 min; {Environment.ProcessorCount} cores)");
    }

    private static void Line(TextWriter output, string label, string value) => output.WriteLine($"{label,-27} {value}");
}
