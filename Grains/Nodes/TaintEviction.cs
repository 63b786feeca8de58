using Granary.Grains.Scheduling;
using Granary.Model;

namespace Granary.Grains.Nodes;

/// <summary>When a pod must leave a node for its NoExecute taints (kube's taint eviction controller).</summary>
public static class TaintEviction
{
    /// <summary>
    /// The time the pod is to be evicted: at once (<see cref="DateTimeOffset.MinValue"/>) when one of the taints is not
    /// tolerated; else, for each taint, its timeAdded plus the tolerationSeconds of the first toleration that matches it
    /// (as kube's GetMatchingTolerations picks), the earliest of those; null when no matching toleration has seconds
    /// (tolerated for ever). A taint without timeAdded counts from <paramref name="unknownTimeAdded"/>.
    /// </summary>
    public static DateTimeOffset? EvictAt(IReadOnlyList<Toleration> tolerations, IEnumerable<Taint> noExecuteTaints, DateTimeOffset unknownTimeAdded)
    {
        DateTimeOffset? earliest = null;
        foreach (var taint in noExecuteTaints)
        {
            var toleration = tolerations.FirstOrDefault(t => TaintToleration.Tolerates(t, taint));
            if (toleration is null)
                return DateTimeOffset.MinValue;
            if (toleration.TolerationSeconds is not { } seconds)
                continue;
            var at = (taint.TimeAdded ?? unknownTimeAdded).AddSeconds(Math.Max(0, seconds));
            if (earliest is null || at < earliest)
                earliest = at;
        }
        return earliest;
    }
}
