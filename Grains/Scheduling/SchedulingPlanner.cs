using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Scheduling;

/// <summary>
/// Decides where pending pods go, in one pure pass, as kube-scheduler's default profile does per pod: PreFilter,
/// Filter (<see cref="SchedulingCycle"/>), then score the nodes that fit (<see cref="NodeScores"/>) and take the best.
/// Each decision is assumed into the node snapshots and the pass's <see cref="PodPlacements"/> before the next pod,
/// so one pass never over-commits a node and later pods see earlier ones for affinity and spreading.
/// In a large cluster a pod is checked against a sample of the nodes, as kube-scheduler's percentageOfNodesToScore
/// does (<see cref="NodesToFind"/>): the filters stop once enough nodes fit, and the next pod's search starts where
/// this one stopped, so every node takes its turn.
/// </summary>
public static class SchedulingPlanner
{
    /// <summary>
    /// Pods are decided oldest first (creationTimestamp, then namespace/name); pods that already name a node are
    /// skipped. Ties in score go to the node with fewer pods, then rotate by <paramref name="rotationSeed"/> so that
    /// equal nodes take turns across passes. Pods with PersistentVolumeClaims are checked against
    /// <paramref name="storage"/> (see <see cref="PodVolumes"/>); <paramref name="context"/> gives namespace labels and
    /// the default spreading selectors.
    /// </summary>
    public static SchedulingPlan Plan(
        IReadOnlyList<Node> nodes, IReadOnlyList<Pod> boundPods, IReadOnlyList<Pod> pendingPods, int rotationSeed = 0,
        StorageSnapshot? storage = null, SchedulingContext? context = null)
    {
        storage ??= StorageSnapshot.Empty;
        context ??= SchedulingContext.Empty;
        NodeSnapshot[] snapshots = [.. NodeSnapshot.Build(nodes, boundPods)];
        var placements = PodPlacements.Build(snapshots, boundPods, context.NamespaceLabels);
        var assignments = ImmutableArray.CreateBuilder<Assignment>();
        var unschedulable = ImmutableArray.CreateBuilder<Unschedulable>();

        var queue = pendingPods
            .Where(p => string.IsNullOrEmpty(p.Spec.NodeName))
            .OrderBy(p => p.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue)
            .ThenBy(p => p.Metadata.Namespace, StringComparer.Ordinal)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal);

        var feasible = new List<int>(snapshots.Length);
        var search = NodeSearch.Starting(snapshots.Length, rotationSeed);
        foreach (var pod in queue)
        {
            var meta = pod.Metadata;
            var volumes = PodVolumes.Of(pod, storage);
            var cycle = new SchedulingCycle(PodRequirements.Of(pod), volumes, snapshots, placements);
            if (cycle.Unresolvable is { } message)
            {
                unschedulable.Add(new(meta.Namespace ?? "", meta.Name ?? "", meta.Uid ?? "", FitErrorMessage.PreFilter(snapshots.Length, message)));
                continue;
            }
            if (SelectNode(snapshots, cycle, feasible, placements, context, rotationSeed, ref search) is { } index)
            {
                var node = snapshots[index];
                node.Assume(cycle.Pod.Requests);
                placements.Add(pod, index);
                foreach (var claim in volumes.Unbound)
                    storage.Assume(claim.Key, node.Name);
                assignments.Add(new(meta.Namespace ?? "", meta.Name ?? "", meta.Uid ?? "", node.Name, volumes.Unbound));
            }
            else
            {
                unschedulable.Add(new(meta.Namespace ?? "", meta.Name ?? "", meta.Uid ?? "", Explain(snapshots, cycle)));
            }
        }
        return new(assignments.ToImmutable(), unschedulable.ToImmutable());
    }

    /// <summary>
    /// How many feasible nodes to look for before scoring, kube-scheduler's adaptive percentageOfNodesToScore: every
    /// node below 100; else 50 % less one point per 125 nodes, at least 5 %, and never fewer than 100 nodes.
    /// </summary>
    public static int NodesToFind(int nodeCount)
    {
        const int MinFeasibleNodes = 100;
        const int MinPercentage = 5;
        if (nodeCount < MinFeasibleNodes)
            return nodeCount;
        var percentage = Math.Max(50 - nodeCount / 125, MinPercentage);
        return Math.Max((int)((long)nodeCount * percentage / 100), MinFeasibleNodes);
    }

    private static int? SelectNode(
        NodeSnapshot[] nodes, SchedulingCycle cycle, List<int> feasible, PodPlacements placements, SchedulingContext context, int rotationSeed,
        ref NodeSearch search)
    {
        feasible.Clear();
        var wanted = NodesToFind(nodes.Length);
        var checkedNodes = 0;
        for (; checkedNodes < nodes.Length && feasible.Count < wanted; checkedNodes++)
        {
            var i = search.NodeAt(checkedNodes);
            if (cycle.Fits(nodes[i]))
                feasible.Add(i);
        }
        search = search.After(checkedNodes);
        if (feasible.Count == 0)
            return null;
        if (feasible.Count == 1)
            return feasible[0];

        var scores = NodeScores.Total(cycle.Pod, nodes, feasible, placements, context.DefaultSpreading);
        int best = -1;
        for (var f = 0; f < feasible.Count; f++)
        {
            if (best < 0 || Better(nodes, feasible[f], scores[f], feasible[best], scores[best], rotationSeed))
                best = f;
        }
        return feasible[best];
    }

    private static bool Better(NodeSnapshot[] nodes, int index, long score, int bestIndex, long bestScore, int rotationSeed)
    {
        if (score != bestScore)
            return score > bestScore;
        var (pods, bestPods) = (nodes[index].PodCount, nodes[bestIndex].PodCount);
        if (pods != bestPods)
            return pods < bestPods;
        return Turn(index, rotationSeed, nodes.Length) < Turn(bestIndex, rotationSeed, nodes.Length);
    }

    // The rotated position of a node; computed only on a tie, as the modulo is not free at 1,000 nodes per pod.
    private static long Turn(int index, int rotationSeed, int count) => (((long)index + rotationSeed) % count + count) % count;

    // Only for pods that fit nowhere, so the reasons are gathered off the hot path.
    private static string Explain(NodeSnapshot[] nodes, SchedulingCycle cycle)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes)
            cycle.CountReasons(node, counts);
        return FitErrorMessage.Format(nodes.Length, counts);
    }
}
