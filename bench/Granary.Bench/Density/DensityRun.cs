using System.Diagnostics;

namespace Granary.Bench;

/// <summary>
/// The raw samples of a density run (Stopwatch timestamps per pod: create call started and returned, first seen
/// bound, first seen Running; 0 for never) and the figures drawn from them.
/// </summary>
internal sealed record DensityRun(DensityOptions Options, long FirstAt, long[] CreateStarted, long[] CreateReturned, long[] BoundAt, long[] RunningAt,
    IReadOnlyList<ApiSample> Reads, IReadOnlyList<TimelineRow> Timeline, int PodBytes, long WatchEvents)
{
    public double Seconds(long at) => at == 0 ? double.NaN : Stopwatch.GetElapsedTime(FirstAt, at).TotalSeconds;

    /// <summary>Pods created → Running per second, end to end: all pods over the time from the first create to the last seen Running.</summary>
    public double PodsPerSecond => Options.Pods / Seconds(RunningAt.Max());

    /// <summary>Pods bound per second, over the time from the first create to the last bound.</summary>
    public double BindsPerSecond => Options.Pods / Seconds(BoundAt.Max());

    /// <summary>Create calls per second, over the time from the first call to the last answer.</summary>
    public double CreatesPerSecond => Options.Pods / Seconds(CreateReturned.Max());

    public LatencySummary Startup => Percentiles.Summarize(Enumerable.Range(0, Options.Pods).Select(i => 1000 * (Seconds(RunningAt[i]) - Seconds(CreateStarted[i]))));

    public LatencySummary Creates => Percentiles.Summarize(Enumerable.Range(0, Options.Pods).Select(i => 1000 * (Seconds(CreateReturned[i]) - Seconds(CreateStarted[i]))));

    public LatencySummary ReadsOf(string verb) => Percentiles.Summarize(Reads.Where(r => r.Verb == verb && r.Ok).Select(r => r.LatencyMs));

    public int FailedReads => Reads.Count(r => !r.Ok);
}
