namespace Granary.Bench;

/// <summary>
/// The raw samples of a churn run: the operations issued and how many pods they started or stopped, how long the
/// churn, the settling and the final garbage collection took, every mutating call and background read, each pod's
/// startup (seconds into the run when first seen and seen Running), the timeline, and the --kill-nodes phase's result.
/// </summary>
internal sealed record ChurnRun(DensityOptions Options, long FirstAt, int Operations, long PodsChanged, double ChurnSeconds, double SettleSeconds,
    double GcSeconds, IReadOnlyList<ApiSample> Calls, IReadOnlyList<ApiSample> Reads, IReadOnlyList<(string Name, double Added, double Running)> Startups,
    IReadOnlyList<TimelineRow> Timeline, NodeKillResult? Kill)
{
    public static readonly string[] MutatingVerbs = ["create", "patch", "delete"];
    public static readonly string[] ReadVerbs = ["get", "list"];

    public double OperationsPerSecond => Operations / ChurnSeconds;

    public double PodChurnPerSecond => PodsChanged / ChurnSeconds;

    /// <summary>Latency of the successful calls of one verb, mutating or read.</summary>
    public LatencySummary Of(string verb) => Percentiles.Summarize(Calls.Concat(Reads).Where(s => s.Verb == verb && s.Ok).Select(s => s.LatencyMs));

    public LatencySummary Mutating => Percentiles.Summarize(Calls.Where(s => s.Ok).Select(s => s.LatencyMs));

    /// <summary>Mutating calls that failed. Reads are not counted: a get of a pod deleted meanwhile rightly answers 404.</summary>
    public int FailedCalls => Calls.Count(s => !s.Ok);

    public int UnansweredReads => Reads.Count(s => !s.Ok);

    /// <summary>Pod startup: first seen by the watch (its ReplicaSet created it) → seen Running.</summary>
    public LatencySummary Startup => Percentiles.Summarize(Startups.Select(s => 1000 * (s.Running - s.Added)));
}
