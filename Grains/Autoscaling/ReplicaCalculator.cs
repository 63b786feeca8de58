namespace Granary.Grains.Autoscaling;

/// <summary>One pod of the target as the replica calculation sees it; usage and requests in thousandths (millicores, millibytes).</summary>
public sealed record PodSample
{
    public required string Name { get; init; }
    public string? Phase { get; init; }
    public bool Deleting { get; init; }
    /// <summary>The Ready condition's status (null: none yet) and when it last changed.</summary>
    public bool? Ready { get; init; }
    public DateTimeOffset? ReadySince { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    /// <summary>The sum of the containers' requests for the resource; null with <see cref="MissingRequest"/> naming the container without one.</summary>
    public long? Request { get; init; }
    public string? MissingRequest { get; init; }
}

/// <summary>A pod's usage of the resource (the sum of its containers), and the window it was measured over.</summary>
public sealed record PodMetric(long MilliValue, DateTimeOffset Timestamp, TimeSpan Window);

/// <summary>What the calculation proposes: replicas, the utilization (percent of request, for Utilization targets) and the average usage.</summary>
public sealed record ReplicaProposal(int Replicas, int? Utilization, long AverageMilliValue);

/// <summary>
/// kube's replica calculator for resource metrics (pkg/controller/podautoscaler/replica_calculator.go): the ratio of
/// usage to target over the ready pods with metrics; within the tolerance nothing changes; pods without metrics count as
/// using their full request when scaling down and nothing when scaling up, not-yet-ready pods count as using nothing when
/// scaling up, and a change those assumptions reverse is no change.
/// </summary>
public static class ReplicaCalculator
{
    public const double Tolerance = 0.1;

    /// <summary>How long after a pod's start its CPU is not trusted unless it is ready (kube's --horizontal-pod-autoscaler-cpu-initialization-period).</summary>
    public static readonly TimeSpan CpuInitializationPeriod = TimeSpan.FromMinutes(5);

    /// <summary>A pod that turned not-ready this soon after starting never was ready (--horizontal-pod-autoscaler-initial-readiness-delay).</summary>
    public static readonly TimeSpan InitialReadinessDelay = TimeSpan.FromSeconds(30);

    /// <summary>For a Utilization target (percent of request). Throws <see cref="ReplicaCalculationException"/> with kube's words.</summary>
    public static ReplicaProposal ForUtilization(int currentReplicas, int targetUtilization, string resource, IReadOnlyList<PodSample> pods,
        IReadOnlyDictionary<string, PodMetric> metrics, DateTimeOffset now)
    {
        var (ready, unready, missing, usable) = Group(resource, pods, metrics, now);
        var requests = new Dictionary<string, long>();
        foreach (var pod in pods)
        {
            if (pod.Request is not { } request)
                throw new ReplicaCalculationException($"missing request for {resource} in container {pod.MissingRequest} of Pod {pod.Name}");
            requests[pod.Name] = request;
        }
        var (usageRatio, utilization, average) = Utilization(usable, requests, targetUtilization);
        var scaleUpWithUnready = unready.Count > 0 && usageRatio > 1.0;
        if (!scaleUpWithUnready && missing.Count == 0)
        {
            if (Math.Abs(1.0 - usageRatio) <= Tolerance)
                return new ReplicaProposal(currentReplicas, utilization, average);
            return new ReplicaProposal((int)Math.Ceiling(usageRatio * ready), utilization, average);
        }
        // On a scale-down a pod without metrics counts as using its request (or the target, above 100 %), on a scale-up nothing.
        foreach (var name in missing.Where(_ => usageRatio != 1.0))
            usable[name] = usageRatio < 1.0 ? requests[name] * Math.Max(100, targetUtilization) / 100 : 0;
        if (scaleUpWithUnready)
        {
            foreach (var name in unready)
                usable[name] = 0;
        }
        var (newUsageRatio, _, _) = Utilization(usable, requests, targetUtilization);
        return Settle(currentReplicas, usageRatio, newUsageRatio, usable.Count, utilization, average);
    }

    /// <summary>For an AverageValue target (usage per pod, in thousandths).</summary>
    public static ReplicaProposal ForAverageValue(int currentReplicas, long targetMilliValue, string resource, IReadOnlyList<PodSample> pods,
        IReadOnlyDictionary<string, PodMetric> metrics, DateTimeOffset now)
    {
        var (ready, unready, missing, usable) = Group(resource, pods, metrics, now);
        var average = usable.Values.Sum() / usable.Count;
        var usageRatio = (double)usable.Values.Sum() / usable.Count / targetMilliValue;
        var scaleUpWithUnready = unready.Count > 0 && usageRatio > 1.0;
        if (!scaleUpWithUnready && missing.Count == 0)
        {
            if (Math.Abs(1.0 - usageRatio) <= Tolerance)
                return new ReplicaProposal(currentReplicas, null, average);
            return new ReplicaProposal((int)Math.Ceiling(usageRatio * ready), null, average);
        }
        foreach (var name in missing.Where(_ => usageRatio != 1.0))
            usable[name] = usageRatio < 1.0 ? targetMilliValue : 0;
        if (scaleUpWithUnready)
        {
            foreach (var name in unready)
                usable[name] = 0;
        }
        var newUsageRatio = (double)usable.Values.Sum() / usable.Count / targetMilliValue;
        return Settle(currentReplicas, usageRatio, newUsageRatio, usable.Count, null, average);
    }

    private static ReplicaProposal Settle(int current, double usageRatio, double newUsageRatio, int counted, int? utilization, long average)
    {
        // A change the assumptions reverse, or shrink into the tolerance, is no change.
        if (Math.Abs(1.0 - newUsageRatio) <= Tolerance || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0))
            return new ReplicaProposal(current, utilization, average);
        var replicas = (int)Math.Ceiling(newUsageRatio * counted);
        if ((newUsageRatio < 1.0 && replicas > current) || (newUsageRatio > 1.0 && replicas < current))
            return new ReplicaProposal(current, utilization, average);
        return new ReplicaProposal(replicas, utilization, average);
    }

    /// <summary>
    /// Sorts the pods as kube's groupPods does: deleted and failed pods are ignored; pending pods, and for CPU pods not yet
    /// trusted (see <see cref="Unready"/>), are unready; the rest without a metric are missing. Returns the ready count and
    /// the usable metrics (of ready pods only).
    /// </summary>
    private static (int Ready, List<string> Unready, List<string> Missing, Dictionary<string, long> Usable) Group(
        string resource, IReadOnlyList<PodSample> pods, IReadOnlyDictionary<string, PodMetric> metrics, DateTimeOffset now)
    {
        if (metrics.Count == 0)
            throw new ReplicaCalculationException($"unable to get metrics for resource {resource}: no metrics returned from resource metrics API");
        if (pods.Count == 0)
            throw new ReplicaCalculationException("no pods returned by selector while calculating replica count");
        var unready = new List<string>();
        var missing = new List<string>();
        var usable = new Dictionary<string, long>();
        var ignored = 0;
        foreach (var pod in pods)
        {
            if (pod.Deleting || pod.Phase == "Failed")
            {
                ignored++;
                continue;
            }
            if (pod.Phase == "Pending")
            {
                unready.Add(pod.Name);
                continue;
            }
            if (!metrics.TryGetValue(pod.Name, out var metric))
            {
                missing.Add(pod.Name);
                continue;
            }
            if (resource == "cpu" && Unready(pod, metric, now))
            {
                unready.Add(pod.Name);
                continue;
            }
            usable[pod.Name] = metric.MilliValue;
        }
        if (usable.Count == 0)
            throw new ReplicaCalculationException("did not receive metrics for targeted pods (pods might be unready)");
        return (pods.Count - unready.Count - missing.Count - ignored, unready, missing, usable);
    }

    /// <summary>
    /// Whether a pod's CPU is not to be trusted: during its initialization period, while not ready or when the sample
    /// began before it turned ready; after it, only when it went not-ready so soon after its start that it never was ready.
    /// </summary>
    private static bool Unready(PodSample pod, PodMetric metric, DateTimeOffset now)
    {
        if (pod.Ready is not { } ready || pod.StartTime is not { } started || pod.ReadySince is not { } since)
            return true;
        if (started + CpuInitializationPeriod > now)
            return !ready || metric.Timestamp < since + metric.Window;
        return !ready && started + InitialReadinessDelay > since;
    }

    private static (double Ratio, int Utilization, long Average) Utilization(Dictionary<string, long> usage, Dictionary<string, long> requests, int target)
    {
        long used = 0, requested = 0;
        foreach (var (name, value) in usage)
        {
            if (requests.TryGetValue(name, out var request))
            {
                used += value;
                requested += request;
            }
        }
        if (requested == 0)
            throw new ReplicaCalculationException("no metrics returned matched known pods");
        var utilization = (int)(used * 100 / requested);
        return ((double)utilization / target, utilization, used / usage.Count);
    }
}

/// <summary>A replica count could not be computed; the message is kube's, for the condition and the event.</summary>
public sealed class ReplicaCalculationException(string message) : Exception(message);
