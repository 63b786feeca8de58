using Granary.Selectors;

namespace Granary.Grains.Scheduling;

/// <summary>
/// kube-scheduler's score plugins with their default weights: each scores the feasible nodes, its scores are
/// normalized to 0–100, and a node's total is the weighted sum. A plugin with nothing to say for a pod (no preferred
/// terms, no PreferNoSchedule taint, no spreading) is skipped, as kube's PreScore Skip does: it would add the same
/// to every node.
/// </summary>
public static class NodeScores
{
    public const long MaxScore = 100;
    public const int TaintTolerationWeight = 3;
    public const int NodeAffinityWeight = 2;
    public const int PodTopologySpreadWeight = 2;
    public const int InterPodAffinityWeight = 2;
    public const int NodeResourcesFitWeight = 1;
    public const int BalancedAllocationWeight = 1;

    /// <summary>The weighted total of every feasible node (indexes into <paramref name="nodes"/>), in the same order.</summary>
    public static long[] Total(
        PodRequirements pod, NodeSnapshot[] nodes, IReadOnlyList<int> feasible, PodPlacements placements, SpreadSelectors defaults)
    {
        var total = new long[feasible.Count];
        for (var f = 0; f < feasible.Count; f++)
        {
            var node = nodes[feasible[f]];
            total[f] = NodeResourcesFitWeight * LeastAllocated.Score(node, pod.Requests)
                + BalancedAllocationWeight * BalancedAllocation.Score(node, pod.Requests);
        }
        if (feasible.Any(f => nodes[f].PreferNoScheduleTaints.Length > 0))
            Add(total, TaintTolerationWeight, Normalize(Raw(feasible, f => TaintToleration.IntolerablePreferNoSchedule(nodes[f], pod.Tolerations)), reverse: true));
        if (pod.PreferredNodeAffinity.Length > 0)
            Add(total, NodeAffinityWeight, Normalize(Raw(feasible, f => PreferredNodeAffinity(nodes[f], pod)), reverse: false));
        if (PodTopologySpread.Scores(pod, nodes, feasible, placements, defaults) is { } spread)
            Add(total, PodTopologySpreadWeight, spread);
        if (InterPodAffinity.PreScore(pod, nodes, placements) is { } affinity)
            Add(total, InterPodAffinityWeight, NormalizeMinMax(Raw(feasible, f => InterPodAffinity.Score(nodes[f], affinity))));
        return total;
    }

    /// <summary>kube's NodeAffinity score: the sum of the weights of the preferred terms the node matches.</summary>
    public static long PreferredNodeAffinity(NodeSnapshot node, PodRequirements pod)
    {
        long sum = 0;
        foreach (var term in pod.PreferredNodeAffinity)
        {
            if (NodeSelectorMatch.Matches(term.Preference, node.Name, node.Labels))
                sum += term.Weight;
        }
        return sum;
    }

    /// <summary>kube's DefaultNormalizeScore: scaled so the highest is 100 (reversed: so the lowest is 100).</summary>
    public static long[] Normalize(long[] scores, bool reverse)
    {
        var max = scores.Length == 0 ? 0 : scores.Max();
        for (var i = 0; i < scores.Length; i++)
        {
            var score = max == 0 ? 0 : MaxScore * scores[i] / max;
            scores[i] = reverse ? MaxScore - score : score;
        }
        return scores;
    }

    /// <summary>InterPodAffinity's normalization: the lowest scores 0 and the highest 100; all 0 when they are equal.</summary>
    public static long[] NormalizeMinMax(long[] scores)
    {
        if (scores.Length == 0)
            return scores;
        long min = scores.Min(), max = scores.Max();
        for (var i = 0; i < scores.Length; i++)
            scores[i] = max > min ? (long)(MaxScore * ((double)(scores[i] - min) / (max - min))) : 0;
        return scores;
    }

    private static long[] Raw(IReadOnlyList<int> feasible, Func<int, long> score)
    {
        var raw = new long[feasible.Count];
        for (var f = 0; f < feasible.Count; f++)
            raw[f] = score(feasible[f]);
        return raw;
    }

    private static void Add(long[] total, int weight, long[] scores)
    {
        for (var i = 0; i < total.Length; i++)
            total[i] += weight * scores[i];
    }
}
