using System.Collections.Immutable;
using Granary.Api;
using Granary.Model;

namespace Granary.Grains.Nodes;

/// <summary>
/// kube's node lifecycle controller, taint manager and zone-disruption rule as one pure function: (nodes, leases, the
/// clock, options) → conditions to set Unknown, taints to add and remove, pods to mark not ready, pods to evict, and
/// when to look again.
/// </summary>
public static class NodeLifecyclePlanner
{
    public const string Ready = "Ready";
    public const string StatusUnknownReason = "NodeStatusUnknown";
    public const string StatusUnknownMessage = "Kubelet stopped posting node status.";
    public const string NeverUpdatedReason = "NodeStatusNeverUpdated";
    public const string NeverUpdatedMessage = "Kubelet never posted node status.";

    /// <summary>The conditions kube's controller sets to Unknown when the kubelet goes silent.</summary>
    public static readonly ImmutableArray<string> WatchedConditions = [Ready, "MemoryPressure", "DiskPressure", "PIDPressure"];

    public static NodeLifecyclePlan Plan(NodeLifecycleInput input)
    {
        var now = input.Now;
        var options = input.Options;
        var next = new NextPass();

        // 1. Leases: a lapsed one turns the node's conditions Unknown.
        var judged = new List<(Node Before, Node After, bool BecameUnknown)>();
        foreach (var node in input.Nodes.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal))
        {
            var expiry = LeaseExpiry(node, input.Leases.GetValueOrDefault(node.Metadata.Name!), input.MonitorStart, options.GracePeriod);
            if (now < expiry)
            {
                next.At(expiry);
                judged.Add((node, node, false));
                continue;
            }
            var unknown = MarkUnknown(node, now);
            judged.Add((node, unknown ?? node, unknown is not null));
        }

        // 2. Zones, from each node's Ready as it now stands.
        var zones = judged.GroupBy(j => ZoneDisruption.ZoneOf(j.After))
            .ToImmutableDictionary(g => g.Key, g => ZoneDisruption.StateOf(
                g.Count(j => ReadyStatus(j.After) == "True"), g.Count(j => ReadyStatus(j.After) != "True"), options.UnhealthyZoneThreshold));
        var allDisrupted = zones.Count > 0 && zones.Values.All(z => z == ZoneState.FullDisruption);

        // 3. Taints follow Ready: NoSchedule always; NoExecute through the zone's rate limiter, never in a partially
        // disrupted zone, and not at all while every zone is fully disrupted. Nodes that went bad first are tainted first.
        var lastTainted = input.LastTaintedByZone.ToImmutableDictionary();
        var changes = ImmutableArray.CreateBuilder<NodeChange>();
        var podsNotReady = ImmutableArray.CreateBuilder<Pod>();
        var evictions = ImmutableArray.CreateBuilder<PodEviction>();
        var watching = false;
        foreach (var (before, after, becameUnknown) in judged.OrderBy(j => ReadyCondition(j.After)?.LastTransitionTime ?? DateTimeOffset.MinValue)
                     .ThenBy(j => j.After.Metadata.Name, StringComparer.Ordinal))
        {
            var zone = ZoneDisruption.ZoneOf(after);
            var taints = DesiredTaints(after, zones[zone], allDisrupted, now, options, ref lastTainted, zone, next);
            var current = after.Spec.Taints ?? [];
            var added = taints.Where(t => !current.Contains(t)).ToImmutableArray();
            var removed = current.Where(t => !taints.Contains(t)).ToImmutableArray();
            var changed = added.IsEmpty && removed.IsEmpty ? after : after with { Spec = after.Spec with { Taints = taints.Count == 0 ? null : taints } };
            if (becameUnknown || !added.IsEmpty || !removed.IsEmpty)
                changes.Add(new NodeChange(before, changed, becameUnknown, added, removed));

            // 4. Pods: not ready on a silent node; evicted by the node's NoExecute taints.
            var unknown = ReadyStatus(changed) == "Unknown";
            var noExecute = taints.Where(t => t.Effect == NodeTaints.NoExecute).ToList();
            if (!unknown && noExecute.Count == 0)
                continue;
            watching = true;
            foreach (var pod in input.PodsOn(changed.Metadata.Name!).Where(p => p.Metadata.DeletionTimestamp is null))
            {
                if (unknown && MarkNotReady(pod, now) is { } notReady)
                    podsNotReady.Add(notReady);
                if (noExecute.Count == 0)
                    continue;
                var at = TaintEviction.EvictAt(pod.Spec.Tolerations ?? [], noExecute, input.MonitorStart);
                if (at is not { } due)
                    continue;
                if (due <= now)
                    evictions.Add(new PodEviction(pod, changed.Metadata.Name!, FirstCause(pod, noExecute, now, input.MonitorStart)));
                else
                    next.At(due);
            }
        }

        return new NodeLifecyclePlan
        {
            Nodes = changes.ToImmutable(),
            PodsNotReady = podsNotReady.ToImmutable(),
            Evictions = evictions.ToImmutable(),
            Zones = zones,
            AllZonesDisrupted = allDisrupted,
            LastTaintedByZone = lastTainted,
            NextPass = next.Value,
            Watching = watching,
        };
    }

    /// <summary>
    /// When the node's lease lapses: its last renewal plus the lease's duration (at most the grace period); for a node
    /// never heard of since this controller started, its creation (or the controller's start, if later) plus the grace
    /// period. Never before the controller has been up for one grace period: after a control plane outage or a failover
    /// every lease looks old, and agents need that long to renew.
    /// </summary>
    public static DateTimeOffset LeaseExpiry(Node node, NodeLeaseInfo? lease, DateTimeOffset monitorStart, TimeSpan grace)
    {
        var expiry = lease is not null
            ? lease.RenewTime + (lease.Duration < grace ? lease.Duration : grace)
            : Max(node.Metadata.CreationTimestamp ?? monitorStart, monitorStart) + grace;
        return Max(expiry, monitorStart + grace);
    }

    /// <summary>The node with its watched conditions Unknown, as kube's tryUpdateNodeHealth writes them; null if Ready already is.</summary>
    private static Node? MarkUnknown(Node node, DateTimeOffset now)
    {
        var conditions = node.Status?.Conditions ?? [];
        if (ReadyCondition(node)?.Status == "Unknown")
            return null;
        foreach (var type in WatchedConditions)
        {
            var index = conditions.FindIndex(c => c.Type == type);
            if (index < 0)
            {
                conditions = conditions.Add(new NodeCondition
                {
                    Type = type, Status = "Unknown", Reason = NeverUpdatedReason, Message = NeverUpdatedMessage,
                    LastHeartbeatTime = node.Metadata.CreationTimestamp, LastTransitionTime = now,
                });
            }
            else if (conditions[index].Status != "Unknown")
            {
                conditions = conditions.SetItem(index, conditions[index] with
                {
                    Status = "Unknown", Reason = StatusUnknownReason, Message = StatusUnknownMessage, LastTransitionTime = now,
                });
            }
        }
        return node with { Status = (node.Status ?? new NodeStatus()) with { Conditions = conditions } };
    }

    private static ImmutableList<Taint> DesiredTaints(Node node, ZoneState zoneState, bool allDisrupted, DateTimeOffset now, NodeLifecycleOptions options,
        ref ImmutableDictionary<string, DateTimeOffset> lastTainted, string zone, NextPass next)
    {
        var current = node.Spec.Taints ?? [];
        var key = ReadyStatus(node) switch
        {
            "False" => NodeTaints.NotReady,
            "Unknown" => NodeTaints.Unreachable,
            _ => null,
        };
        var taints = current.RemoveAll(IsLifecycleTaint);
        if (key is null)
            return taints;

        // TaintNodesByCondition: the scheduler keeps new pods off at once.
        taints = taints.Add(current.FirstOrDefault(t => t.Key == key && t.Effect == NodeTaints.NoSchedule) ?? new Taint { Key = key, Effect = NodeTaints.NoSchedule });

        if (allDisrupted)
            return taints;
        var existing = current.FirstOrDefault(t => IsLifecycleTaint(t) && t.Effect == NodeTaints.NoExecute);
        if (existing is not null)
        {
            // Already tainted for eviction: keep it, or swap not-ready for unreachable (and back) without the limiter, as kube does.
            return taints.Add(existing.Key == key ? existing : new Taint { Key = key, Effect = NodeTaints.NoExecute, TimeAdded = now });
        }
        if (zoneState == ZoneState.PartialDisruption || options.EvictionRate <= 0)
            return taints;
        var interval = TimeSpan.FromSeconds(1 / options.EvictionRate);
        if (lastTainted.TryGetValue(zone, out var last) && now < last + interval)
        {
            next.At(last + interval);
            return taints;
        }
        lastTainted = lastTainted.SetItem(zone, now);
        return taints.Add(new Taint { Key = key, Effect = NodeTaints.NoExecute, TimeAdded = now });
    }

    private static bool IsLifecycleTaint(Taint taint) =>
        taint.Key is NodeTaints.NotReady or NodeTaints.Unreachable && taint.Effect is NodeTaints.NoSchedule or NodeTaints.NoExecute;

    /// <summary>The pod with Ready False, keeping the condition's reason and message (kube's MarkPodsNotReady); null if it is not Ready.</summary>
    private static Pod? MarkNotReady(Pod pod, DateTimeOffset now)
    {
        if (pod.Status?.Phase is "Succeeded" or "Failed" || pod.Status?.Conditions is not { } conditions)
            return null;
        var index = conditions.FindIndex(c => c.Type == Ready);
        if (index < 0 || conditions[index].Status != "True")
            return null;
        var notReady = conditions.SetItem(index, conditions[index] with { Status = "False", LastTransitionTime = now });
        return pod with { Status = pod.Status with { Conditions = notReady } };
    }

    /// <summary>The taint the pod is evicted for: one it does not tolerate, else the one whose toleration ran out.</summary>
    private static Taint FirstCause(Pod pod, List<Taint> noExecute, DateTimeOffset now, DateTimeOffset unknownTimeAdded) =>
        noExecute.FirstOrDefault(t => TaintEviction.EvictAt(pod.Spec.Tolerations ?? [], [t], unknownTimeAdded) is { } at && at <= now) ?? noExecute[0];

    private static NodeCondition? ReadyCondition(Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == Ready);

    private static string? ReadyStatus(Node node) => ReadyCondition(node)?.Status;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>The earliest time something is due.</summary>
    private sealed class NextPass
    {
        public DateTimeOffset? Value { get; private set; }

        public void At(DateTimeOffset at)
        {
            if (Value is null || at < Value)
                Value = at;
        }
    }
}
