using System.Collections.Immutable;

namespace Granary.Grains.Scheduling;

/// <summary>
/// kube-scheduler's PodTopologySpread plugin over a pass's <see cref="PodPlacements"/>. DoNotSchedule constraints
/// filter: placing the pod must not make its domain exceed the least-loaded eligible domain by more than maxSkew
/// (the minimum counts as 0 while fewer than minDomains domains exist). ScheduleAnyway constraints, and the system
/// default constraints of a pod that sets none, score: fewer matching pods in the node's domain score higher.
/// </summary>
public static class PodTopologySpread
{
    public const string ConstraintsNotMatchReason = "node(s) didn't match pod topology spread constraints";
    public const string MissingLabelReason = ConstraintsNotMatchReason + " (missing required label)";

    /// <summary>The filter's state for one pod (kube's PreFilter), or null when the pod has no DoNotSchedule constraint.</summary>
    public static TopologySpreadFilter? PreFilter(PodRequirements pod, NodeSnapshot[] nodes, PodPlacements placements)
    {
        var constraints = SpreadConstraint.Of(pod.Pod, SpreadConstraint.DoNotSchedule, null);
        if (constraints.IsEmpty)
            return null;
        var domains = constraints.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        var counts = MatchingPerNode(constraints, placements);
        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            if (!SpreadConstraint.HasAllKeys(node, constraints))
                continue;
            for (var c = 0; c < constraints.Length; c++)
            {
                if (!constraints[c].Includes(node, pod))
                    continue;
                var value = node.Labels[constraints[c].TopologyKey];
                domains[c][value] = domains[c].GetValueOrDefault(value) + counts[c][i];
            }
        }
        var minimums = new int[constraints.Length];
        for (var c = 0; c < constraints.Length; c++)
        {
            minimums[c] = domains[c].Count < constraints[c].MinDomains ? 0
                : domains[c].Count == 0 ? int.MaxValue
                : domains[c].Values.Min();
        }
        return new TopologySpreadFilter(constraints, domains, minimums);
    }

    /// <summary>
    /// Each feasible node's score, 0 to 100 (kube's PreScore, Score and NormalizeScore), or null when the pod has no
    /// ScheduleAnyway constraint and no default one. <paramref name="feasible"/> indexes <paramref name="nodes"/>.
    /// </summary>
    public static long[]? Scores(
        PodRequirements pod, NodeSnapshot[] nodes, IReadOnlyList<int> feasible, PodPlacements placements, SpreadSelectors defaults)
    {
        var explicitConstraints = pod.Pod.Spec.TopologySpreadConstraints is { Count: > 0 };
        var constraints = SpreadConstraint.Of(pod.Pod, SpreadConstraint.ScheduleAnyway, explicitConstraints ? null : defaults.For(pod.Pod));
        if (constraints.IsEmpty || feasible.Count == 0)
            return null;
        // Only a pod's own constraints require every topology label; so a node without a zone still spreads by hostname.
        var requireAll = explicitConstraints;
        var ignored = new bool[feasible.Count];
        var ignoredCount = 0;
        var domains = constraints.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        var counts = MatchingPerNode(constraints, placements);
        for (var f = 0; f < feasible.Count; f++)
        {
            var node = nodes[feasible[f]];
            if (requireAll && !SpreadConstraint.HasAllKeys(node, constraints))
            {
                ignored[f] = true;
                ignoredCount++;
                continue;
            }
            for (var c = 0; c < constraints.Length; c++)
            {
                if (constraints[c].TopologyKey != SpreadConstraint.HostnameKey)
                    domains[c].TryAdd(node.Labels.GetValueOrDefault(constraints[c].TopologyKey, ""), 0);
            }
        }
        var weights = new double[constraints.Length];
        for (var c = 0; c < constraints.Length; c++)
        {
            var size = constraints[c].TopologyKey == SpreadConstraint.HostnameKey ? feasible.Count - ignoredCount : domains[c].Count;
            weights[c] = Math.Log(size + 2);
        }
        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            if (requireAll && !SpreadConstraint.HasAllKeys(node, constraints))
                continue;
            for (var c = 0; c < constraints.Length; c++)
            {
                var value = node.Labels.GetValueOrDefault(constraints[c].TopologyKey, "");
                if (constraints[c].TopologyKey != SpreadConstraint.HostnameKey && domains[c].ContainsKey(value) && constraints[c].Includes(node, pod))
                    domains[c][value] += counts[c][i];
            }
        }

        var scores = new long[feasible.Count];
        for (var f = 0; f < feasible.Count; f++)
        {
            if (ignored[f])
                continue;
            var node = nodes[feasible[f]];
            double score = 0;
            for (var c = 0; c < constraints.Length; c++)
            {
                if (!node.Labels.TryGetValue(constraints[c].TopologyKey, out var value))
                    continue;
                var count = constraints[c].TopologyKey == SpreadConstraint.HostnameKey ? counts[c][feasible[f]] : domains[c][value];
                // maxSkew - 1 waters down small differences, so the score tolerates skew as the constraint does.
                score += count * weights[c] + (constraints[c].MaxSkew - 1);
            }
            scores[f] = (long)Math.Round(score, MidpointRounding.AwayFromZero);
        }
        return Normalize(scores, ignored);
    }

    // Per constraint, the placed pods it counts on each node; terminating pods are left out, as kube does.
    private static int[][] MatchingPerNode(ImmutableArray<SpreadConstraint> constraints, PodPlacements placements) =>
        [.. constraints.Select(c => placements.CountsPerNode([c.Counted], skipTerminating: true))];

    // kube's NormalizeScore: the fewer matching pods, the higher; ignored nodes score 0.
    private static long[] Normalize(long[] scores, bool[] ignored)
    {
        long min = long.MaxValue, max = 0;
        for (var f = 0; f < scores.Length; f++)
        {
            if (ignored[f])
                continue;
            min = Math.Min(min, scores[f]);
            max = Math.Max(max, scores[f]);
        }
        for (var f = 0; f < scores.Length; f++)
        {
            scores[f] = ignored[f] ? 0
                : max == 0 ? NodeScores.MaxScore
                : NodeScores.MaxScore * (max + min - scores[f]) / max;
        }
        return scores;
    }
}

/// <summary>One pod's DoNotSchedule constraints with their matching pods per eligible domain and the minimum.</summary>
public sealed class TopologySpreadFilter(ImmutableArray<SpreadConstraint> constraints, Dictionary<string, int>[] domains, int[] minimums)
{
    public string? Reason(NodeSnapshot node)
    {
        for (var c = 0; c < constraints.Length; c++)
        {
            var constraint = constraints[c];
            if (!node.Labels.TryGetValue(constraint.TopologyKey, out var value))
                return PodTopologySpread.MissingLabelReason;
            var skew = (long)domains[c].GetValueOrDefault(value) + (constraint.SelfMatch ? 1 : 0) - minimums[c];
            if (skew > constraint.MaxSkew)
                return PodTopologySpread.ConstraintsNotMatchReason;
        }
        return null;
    }
}
