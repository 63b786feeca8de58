using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>
/// Which surplus pods a ReplicaSet deletes first, as Kubernetes' ActivePods ordering (simplified): not yet on a node
/// before on a node; Pending before Unknown before Running; not ready before ready; ready for less time before more;
/// more restarts before fewer; newer before older. So a scale down removes what serves least.
/// </summary>
public sealed class PodDeletionOrder : IComparer<Pod>
{
    public static readonly PodDeletionOrder Instance = new();

    public static IReadOnlyList<Pod> First(IEnumerable<Pod> pods, int count) => [.. pods.Order(Instance).Take(count)];

    public int Compare(Pod? x, Pod? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null || y is null)
            return x is null ? -1 : 1;
        int c;
        if ((c = (x.Spec.NodeName is not null).CompareTo(y.Spec.NodeName is not null)) != 0)
            return c;
        if ((c = PhaseRank(x).CompareTo(PhaseRank(y))) != 0)
            return c;
        if ((c = PodReadiness.IsReady(x).CompareTo(PodReadiness.IsReady(y))) != 0)
            return c;
        if (PodReadiness.IsReady(x) && (c = ReadySince(y).CompareTo(ReadySince(x))) != 0)
            return c;
        if ((c = PodReadiness.RestartCount(y).CompareTo(PodReadiness.RestartCount(x))) != 0)
            return c;
        if ((c = Created(y).CompareTo(Created(x))) != 0)
            return c;
        return string.CompareOrdinal(x.Metadata.Name, y.Metadata.Name);
    }

    private static int PhaseRank(Pod pod) => pod.Status?.Phase switch
    {
        "Pending" or null => 0,
        "Unknown" => 1,
        _ => 2,
    };

    private static DateTimeOffset ReadySince(Pod pod) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.LastTransitionTime ?? DateTimeOffset.MinValue;

    private static DateTimeOffset Created(Pod pod) => pod.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue;
}
