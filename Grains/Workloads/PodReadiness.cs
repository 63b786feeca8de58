using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>A pod's life as controllers count it (Kubernetes' podutil): active, ready, available.</summary>
public static class PodReadiness
{
    /// <summary>Not finished and not being deleted: a pod that counts towards replicas.</summary>
    public static bool IsActive(Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed");

    public static bool IsReady(Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>Ready for at least <paramref name="minReadySeconds"/> (at once when it is 0).</summary>
    public static bool IsAvailable(Pod pod, int minReadySeconds, DateTimeOffset now) =>
        AvailableAt(pod, minReadySeconds) is { } at && at <= now;

    /// <summary>When a ready pod becomes available; null when it is not ready.</summary>
    public static DateTimeOffset? AvailableAt(Pod pod, int minReadySeconds)
    {
        if (ReadyCondition(pod) is not { Status: "True" } ready)
            return null;
        if (minReadySeconds <= 0)
            return DateTimeOffset.MinValue;
        // Kubernetes requires the ready time plus minReadySeconds to be strictly before now.
        return (ready.LastTransitionTime ?? DateTimeOffset.MinValue).AddSeconds(minReadySeconds).AddTicks(1);
    }

    public static int RestartCount(Pod pod) => pod.Status?.ContainerStatuses?.Sum(c => c.RestartCount) ?? 0;

    private static PodCondition? ReadyCondition(Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
}
