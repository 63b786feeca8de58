using Granary.Model;

namespace Granary.Grains.Batch;

/// <summary>
/// The delay before a failed Job pod is replaced (kube's podBackoffStore): 10 s after the first failure since the last
/// success, doubling with each further one, at most 6 minutes, counted from the last failure. Derived from the pods
/// themselves, so a silo failover forgets nothing.
/// </summary>
public static class JobBackoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(6);

    /// <summary>When a new pod may be created; null when at once.</summary>
    public static DateTimeOffset? NextCreateAt(IEnumerable<Pod> pods, DateTimeOffset now)
    {
        var finished = pods.Where(p => p.Status?.Phase is "Succeeded" or "Failed").Select(p => (p.Status!.Phase, At: FinishedAt(p))).ToList();
        var lastSuccess = finished.Where(f => f.Phase == "Succeeded").Select(f => f.At).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var failures = finished.Where(f => f.Phase == "Failed" && f.At > lastSuccess).Select(f => f.At).ToList();
        if (failures.Count == 0)
            return null;
        var at = failures.Max() + Delay(failures.Count);
        return at > now ? at : null;
    }

    public static TimeSpan Delay(int failures)
    {
        var delay = Initial;
        for (var i = 1; i < failures && delay < Max; i++)
            delay *= 2;
        return delay < Max ? delay : Max;
    }

    /// <summary>When a pod finished (kube's getFinishedTime): its containers' last finish, else its Ready change, else its creation.</summary>
    public static DateTimeOffset FinishedAt(Pod pod)
    {
        var finishes = (pod.Status?.ContainerStatuses ?? []).Select(c => c.State?.Terminated?.FinishedAt).OfType<DateTimeOffset>().ToList();
        if (finishes.Count > 0)
            return finishes.Max();
        return pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.LastTransitionTime
            ?? pod.Metadata.DeletionTimestamp ?? pod.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue;
    }
}
