using System.Diagnostics.Metrics;

namespace Granary.Grains.Scheduling;

/// <summary>
/// kube-scheduler's metrics under its names: <c>scheduler_schedule_attempts_total{result,profile}</c> (scheduled,
/// unschedulable or error, per pod per try) and <c>scheduler_pod_scheduling_duration_seconds</c> (from the scheduler
/// first finding a pod pending to its binding). The scheduler is one grain per cluster, so its meter is the process's
/// own rather than one per host: the silo that holds the grain reports these series.
/// </summary>
public static class SchedulerMetrics
{
    public const string MeterName = "Granary.Scheduler";

    // kube's ExponentialBuckets(0.01, 2, 20): 10 ms … about 87 min.
    private static readonly double[] DurationBuckets =
        [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68, 655.36, 1310.72, 2621.44, 5242.88];

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>("scheduler_schedule_attempts_total", null,
        "Number of attempts to schedule pods, by the result: 'unschedulable' means a pod could not be scheduled, while 'error' means a binding failed.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("scheduler_pod_scheduling_duration_seconds", "s",
        "E2e latency for a pod being scheduled, from the scheduler first finding it pending to its binding.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    private static readonly KeyValuePair<string, object?> Profile = new("profile", "default-scheduler");
    private static readonly KeyValuePair<string, object?> ScheduledResult = new("result", "scheduled");
    private static readonly KeyValuePair<string, object?> UnschedulableResult = new("result", "unschedulable");
    private static readonly KeyValuePair<string, object?> ErrorResult = new("result", "error");

    /// <summary>A pod bound, <paramref name="pending"/> after the scheduler first found it pending (null: not known, e.g. found by an earlier activation).</summary>
    public static void Scheduled(TimeSpan? pending)
    {
        Attempts.Add(1, ScheduledResult, Profile);
        if (pending is { } duration)
            Duration.Record(duration.TotalSeconds);
    }

    /// <summary>A pod no node fits.</summary>
    public static void Unschedulable() => Attempts.Add(1, UnschedulableResult, Profile);

    /// <summary>A binding that failed (the pod was deleted, replaced or bound meanwhile, or the call went unanswered).</summary>
    public static void Error() => Attempts.Add(1, ErrorResult, Profile);
}
