using System.Collections.Immutable;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.DaemonSets;

/// <summary>
/// The DaemonSet controller's decisions, pure (kube's daemon controller: manage, podsShouldBeOnNode, rollingUpdate,
/// updateDaemonSetStatus). Each node that should run the pod gets one; pods on nodes that no longer qualify, on nodes
/// that are gone, or that failed (with back-off) are deleted. When that is settled, RollingUpdate replaces outdated
/// pods within maxUnavailable, or with maxSurge starts the new pod on a node before deleting the old one; OnDelete
/// leaves outdated pods until someone deletes them.
/// </summary>
public static class DaemonSetPlanner
{
    public static DaemonSetSync Plan(DaemonSet ds, string hash, IReadOnlyList<Node> nodes, IReadOnlyList<Pod> pods,
        ImmutableDictionary<string, FailedPodBackoff> backoff, DateTimeOffset now)
    {
        var byNode = ByNode(pods);
        var nodesByName = nodes.Where(n => n.Metadata.Name is not null).ToDictionary(n => n.Metadata.Name!, StringComparer.Ordinal);
        var minReady = ds.Spec.MinReadySeconds ?? 0;
        var surge = AllowsSurge(ds);
        var create = new List<string>();
        var delete = new List<DaemonPodDeletion>();
        var recheck = new Recheck();
        var newBackoff = backoff.RemoveRange(backoff.Where(b => b.Value.Expired(now)).Select(b => b.Key));

        foreach (var node in nodesByName.Values.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal))
        {
            var name = node.Metadata.Name!;
            var daemonPods = byNode.GetValueOrDefault(name) ?? [];
            var (shouldRun, shouldContinue) = DaemonPods.Eligibility(ds, node);
            if (shouldRun && daemonPods.Count == 0)
            {
                create.Add(name);
            }
            else if (shouldContinue)
            {
                var running = new List<Pod>();
                foreach (var pod in daemonPods.Where(p => p.Metadata.DeletionTimestamp is null))
                {
                    switch (pod.Status?.Phase)
                    {
                        case "Failed" when newBackoff.GetValueOrDefault(name) is { } b && b.Until > now:
                            recheck.At(b.Until);
                            break;
                        case "Failed":
                            newBackoff = newBackoff.SetItem(name, FailedPodBackoff.Next(newBackoff.GetValueOrDefault(name), now));
                            delete.Add(new DaemonPodDeletion(pod, FailedOnNode: name));
                            break;
                        case "Succeeded":
                            delete.Add(new DaemonPodDeletion(pod));
                            break;
                        default:
                            running.Add(pod);
                            break;
                    }
                }
                delete.AddRange(Excess(running, shouldRun, surge, hash, minReady, now, create, name).Select(p => new DaemonPodDeletion(p)));
            }
            else
            {
                delete.AddRange(daemonPods.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => new DaemonPodDeletion(p)));
            }
        }

        // Pods whose node is gone (or that name none): no agent will run or stop them, so they go at once.
        foreach (var (node, onMissing) in byNode.Where(g => !nodesByName.ContainsKey(g.Key)).OrderBy(g => g.Key, StringComparer.Ordinal))
            delete.AddRange(onMissing.Where(p => p.Metadata.DeletionTimestamp is null || p.Spec.NodeName is not null)
                .Select(p => new DaemonPodDeletion(p, Force: p.Spec.NodeName is not null)));

        // As kube waits for its expectations, the update starts once the nodes' pods are settled.
        if (create.Count == 0 && delete.Count == 0 && ds.Spec.UpdateStrategy?.Type is null or DaemonSetUpdateStrategy.RollingUpdateType)
            RollingUpdate(ds, hash, nodesByName, byNode, now, create, delete);

        var status = Status(ds, hash, nodesByName.Values, byNode, now, recheck);
        return new DaemonSetSync(create, delete, status, newBackoff, recheck.Earliest);
    }

    /// <summary>
    /// The pods counted per node, keyed by the node they are bound to or aimed at (kube's getNodesToDaemonPods without
    /// finished pods being deleted); pods aimed at no node are under "".
    /// </summary>
    private static Dictionary<string, List<Pod>> ByNode(IReadOnlyList<Pod> pods)
    {
        var byNode = new Dictionary<string, List<Pod>>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (pod.Metadata.DeletionTimestamp is not null && pod.Status?.Phase is "Succeeded" or "Failed")
                continue;
            var node = DaemonPods.TargetNode(pod) ?? "";
            if (!byNode.TryGetValue(node, out var list))
                byNode[node] = list = [];
            list.Add(pod);
        }
        foreach (var list in byNode.Values)
            list.Sort(CreationThenPhase);
        return byNode;
    }

    /// <summary>
    /// The running pods beyond one per node to delete. Without surge all but the oldest go. With surge an old and a
    /// new pod may run side by side until the new one is available (then the old goes) or the old one is not ready
    /// (then it goes at once); any other pod goes.
    /// </summary>
    private static IEnumerable<Pod> Excess(List<Pod> running, bool shouldRun, bool surge, string hash, int minReady, DateTimeOffset now,
        List<string> create, string node)
    {
        if (!surge)
            return running.Skip(1);
        if (running.Count <= 1)
        {
            if (running.Count == 0 && shouldRun)
                create.Add(node);
            return [];
        }
        Pod? oldestNew = null, oldestOld = null;
        var excess = new List<Pod>();
        foreach (var pod in running)
        {
            if (IsUpdated(pod, hash) && oldestNew is null)
                oldestNew = pod;
            else if (!IsUpdated(pod, hash) && oldestOld is null)
                oldestOld = pod;
            else
                excess.Add(pod);
        }
        if (oldestNew is not null && oldestOld is not null
            && (!PodReadiness.IsReady(oldestOld) || PodReadiness.IsAvailable(oldestNew, minReady, now)))
            excess.Add(oldestOld);
        return excess;
    }

    private static void RollingUpdate(DaemonSet ds, string hash, Dictionary<string, Node> nodes, Dictionary<string, List<Pod>> byNode,
        DateTimeOffset now, List<string> create, List<DaemonPodDeletion> delete)
    {
        var minReady = ds.Spec.MinReadySeconds ?? 0;
        var desired = nodes.Values.Count(n => DaemonPods.Eligibility(ds, n).ShouldRun);
        var (maxSurge, maxUnavailable) = Limits(ds, desired);
        var onNodes = byNode.Where(g => nodes.ContainsKey(g.Key)).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        bool Available(Pod pod) => PodReadiness.IsAvailable(pod, minReady, now);

        if (maxSurge == 0)
        {
            var unavailable = 0;
            var replace = new List<Pod>();
            var candidates = new List<Pod>();
            foreach (var (_, pods) in onNodes)
            {
                if (!UpdatedAndOld(pods, hash, out var newPod, out var oldPod))
                {
                    unavailable++;
                    continue;
                }
                if ((oldPod is null) == (newPod is null))
                    unavailable++;
                else if (newPod is not null)
                    unavailable += Available(newPod) ? 0 : 1;
                else if (!Available(oldPod!))
                    replace.Add(oldPod!);
                else if (unavailable < maxUnavailable)
                    candidates.Add(oldPod!);
            }
            var room = Math.Clamp(maxUnavailable - unavailable, 0, candidates.Count);
            delete.AddRange(replace.Concat(candidates.Take(room)).Select(p => new DaemonPodDeletion(p)));
            return;
        }

        var surged = 0;
        var available = 0;
        var allowedNew = new List<string>();
        var candidateNew = new List<string>();
        var shouldNotRun = new List<Pod>();
        foreach (var (node, pods) in onNodes)
        {
            if (!UpdatedAndOld(pods, hash, out var newPod, out var oldPod))
            {
                surged++;
                continue;
            }
            if ((oldPod ?? newPod) is { } counted && Available(counted))
                available++;
            if (oldPod is null)
                continue;
            var shouldRun = DaemonPods.Eligibility(ds, nodes[node]).ShouldRun;
            if (newPod is null)
            {
                if (!Available(oldPod))
                {
                    if (shouldRun)
                        allowedNew.Add(node);
                    else
                        delete.Add(new DaemonPodDeletion(oldPod));
                }
                else if (!shouldRun)
                    shouldNotRun.Add(oldPod);
                else if (surged < maxSurge)
                    candidateNew.Add(node);
            }
            else if (!Available(newPod))
                surged++;
            else
                delete.Add(new DaemonPodDeletion(oldPod));
        }
        // With surge the owner expects full availability: a pod on a node that no longer qualifies goes only once
        // more pods are available than needed.
        var deletable = Math.Clamp(available - desired, 0, shouldNotRun.Count);
        delete.AddRange(shouldNotRun.Take(deletable).Select(p => new DaemonPodDeletion(p)));
        create.AddRange(allowedNew.Concat(candidateNew.Take(Math.Clamp(maxSurge - surged, 0, candidateNew.Count))));
    }

    /// <summary>The node's one up-to-date and one outdated pod (kube's findUpdatedPodsOnNode); false when it has more.</summary>
    private static bool UpdatedAndOld(List<Pod> pods, string hash, out Pod? newPod, out Pod? oldPod)
    {
        newPod = oldPod = null;
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is null))
        {
            if (IsUpdated(pod, hash))
            {
                if (newPod is not null)
                    return false;
                newPod = pod;
            }
            else
            {
                if (oldPod is not null)
                    return false;
                oldPod = pod;
            }
        }
        return true;
    }

    private static DaemonSetStatus Status(DaemonSet ds, string hash, IEnumerable<Node> nodes, Dictionary<string, List<Pod>> byNode,
        DateTimeOffset now, Recheck recheck)
    {
        var minReady = ds.Spec.MinReadySeconds ?? 0;
        int desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
        foreach (var node in nodes)
        {
            var pods = byNode.GetValueOrDefault(node.Metadata.Name!) ?? [];
            if (!DaemonPods.Eligibility(ds, node).ShouldRun)
            {
                misscheduled += pods.Count > 0 ? 1 : 0;
                continue;
            }
            desired++;
            if (pods.Count == 0)
                continue;
            current++;
            var pod = pods[0];
            if (PodReadiness.IsReady(pod))
            {
                ready++;
                if (PodReadiness.IsAvailable(pod, minReady, now))
                    available++;
                else if (PodReadiness.AvailableAt(pod, minReady) is { } at)
                    recheck.At(at);
            }
            updated += IsUpdated(pod, hash) ? 1 : 0;
        }
        return (ds.Status ?? new DaemonSetStatus()) with
        {
            DesiredNumberScheduled = desired,
            CurrentNumberScheduled = current,
            NumberMisscheduled = misscheduled,
            NumberReady = ready,
            NumberAvailable = available,
            NumberUnavailable = desired - available,
            UpdatedNumberScheduled = updated,
            ObservedGeneration = ds.Metadata.Generation,
        };
    }

    /// <summary>maxSurge and maxUnavailable as node counts (kube's updatedDesiredNodeCounts: both rounded up, never both zero).</summary>
    public static (int MaxSurge, int MaxUnavailable) Limits(DaemonSet ds, int desired)
    {
        if (ds.Spec.UpdateStrategy is not { Type: DaemonSetUpdateStrategy.RollingUpdateType, RollingUpdate: { } update })
            return (0, 0);
        var surge = RolloutLimits.Scaled(update.MaxSurge ?? 0, desired, roundUp: true);
        var unavailable = RolloutLimits.Scaled(update.MaxUnavailable ?? 1, desired, roundUp: true);
        return desired > 0 && surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    private static bool AllowsSurge(DaemonSet ds) =>
        ds.Spec.UpdateStrategy is { Type: DaemonSetUpdateStrategy.RollingUpdateType, RollingUpdate.MaxSurge: { } surge }
        && RolloutLimits.Scaled(surge, 1, roundUp: true) != 0;

    public static bool IsUpdated(Pod pod, string hash) => pod.Metadata.Labels?.GetValueOrDefault(ControllerHistory.HashLabel) == hash;

    /// <summary>kube's podByCreationTimestampAndPhase: bound before unbound, running before not, then oldest, then by name.</summary>
    private static int CreationThenPhase(Pod a, Pod b)
    {
        var bound = (b.Spec.NodeName is not null).CompareTo(a.Spec.NodeName is not null);
        if (bound != 0)
            return bound;
        var running = (b.Status?.Phase == "Running").CompareTo(a.Status?.Phase == "Running");
        if (running != 0)
            return running;
        var created = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
        return created != 0 ? created : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
    }

    private sealed class Recheck
    {
        public DateTimeOffset? Earliest { get; private set; }

        public void At(DateTimeOffset when) => Earliest = Earliest is { } e && e <= when ? e : when;
    }
}
