using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Scheduling;

/// <summary>
/// Decides where pending pods go, in one pure pass: filter the nodes, score those that fit with
/// least-allocated, take the best. Each decision is assumed into the snapshot before the next pod,
/// so one pass never over-commits a node.
/// </summary>
public static class SchedulingPlanner
{
    /// <summary>
    /// Pods are decided oldest first (creationTimestamp, then namespace/name); pods that already name
    /// a node are skipped. Ties in score go to the node with fewer pods, then rotate by
    /// <paramref name="rotationSeed"/> so that equal nodes take turns across passes. Pods with
    /// PersistentVolumeClaims are checked against <paramref name="storage"/> (see <see cref="PodVolumes"/>).
    /// </summary>
    public static SchedulingPlan Plan(
        IReadOnlyList<Node> nodes, IReadOnlyList<Pod> boundPods, IReadOnlyList<Pod> pendingPods, int rotationSeed = 0,
        StorageSnapshot? storage = null)
    {
        storage ??= StorageSnapshot.Empty;
        NodeSnapshot[] snapshots = [.. NodeSnapshot.Build(nodes, boundPods)];
        var assignments = ImmutableArray.CreateBuilder<Assignment>();
        var unschedulable = ImmutableArray.CreateBuilder<Unschedulable>();

        var queue = pendingPods
            .Where(p => string.IsNullOrEmpty(p.Spec.NodeName))
            .OrderBy(p => p.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue)
            .ThenBy(p => p.Metadata.Namespace, StringComparer.Ordinal)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal);

        foreach (var pod in queue)
        {
            var requirements = PodRequirements.Of(pod);
            var volumes = PodVolumes.Of(pod, storage);
            var meta = pod.Metadata;
            if (volumes.Unresolvable is { } message)
            {
                unschedulable.Add(new(meta.Namespace ?? "", meta.Name ?? "", meta.Uid ?? "", FitErrorMessage.PreFilter(snapshots.Length, message)));
                continue;
            }
            var best = SelectNode(snapshots, requirements, volumes, rotationSeed);
            if (best is { } node)
            {
                node.Assume(requirements.Requests);
                foreach (var claim in volumes.Unbound)
                    storage.Assume(claim.Key, node.Name);
                assignments.Add(new(meta.Namespace ?? "", meta.Name ?? "", meta.Uid ?? "", node.Name, volumes.Unbound));
            }
            else
            {
                unschedulable.Add(new(meta.Namespace ?? "", meta.Name ?? "", meta.Uid ?? "", Explain(snapshots, requirements, volumes)));
            }
        }
        return new(assignments.ToImmutable(), unschedulable.ToImmutable());
    }

    private static NodeSnapshot? SelectNode(NodeSnapshot[] nodes, PodRequirements pod, PodVolumes volumes, int rotationSeed)
    {
        NodeSnapshot? best = null;
        long bestScore = -1, bestPods = 0;
        var bestIndex = -1;
        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            if (!NodeFilters.Fits(node, pod) || (!volumes.IsEmpty && volumes.Reason(node) is not null))
                continue;
            var score = LeastAllocated.Score(node, pod.Requests);
            if (score < bestScore || (score == bestScore && (node.PodCount > bestPods
                || (node.PodCount == bestPods && Turn(i, rotationSeed, nodes.Length) > Turn(bestIndex, rotationSeed, nodes.Length)))))
                continue;
            best = node;
            bestScore = score;
            bestPods = node.PodCount;
            bestIndex = i;
        }
        return best;
    }

    // The rotated position of a node; computed only on a tie, as the modulo is not free at 1,000 nodes per pod.
    private static long Turn(int index, int rotationSeed, int count) => (((long)index + rotationSeed) % count + count) % count;

    // Only for pods that fit nowhere, so the reasons are gathered off the hot path.
    private static string Explain(NodeSnapshot[] nodes, PodRequirements pod, PodVolumes volumes)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (NodeFilters.FirstFailure(node, pod) is { } reason)
            {
                Count(counts, reason);
                continue;
            }
            var shortfalls = NodeFilters.Resources(node, pod.Requests);
            foreach (var shortfall in shortfalls)
                Count(counts, shortfall);
            // Volume binding filters after resources, as in kube-scheduler: a node short of cpu reports only that.
            if (shortfalls.IsEmpty && volumes.Reason(node) is { } volumeReason)
                Count(counts, volumeReason);
        }
        return FitErrorMessage.Format(nodes.Length, counts);
    }

    private static void Count(Dictionary<string, int> counts, string reason) =>
        counts[reason] = counts.GetValueOrDefault(reason) + 1;
}
