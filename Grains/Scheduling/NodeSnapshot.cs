using Granary.Model;

namespace Granary.Grains.Scheduling;

/// <summary>
/// One node as the planner sees it during a pass: what it offers, what is already asked of it,
/// and its labels and filtering taints read once so that checking a pod against it allocates nothing.
/// </summary>
public sealed class NodeSnapshot
{
    private NodeSnapshot(Node node)
    {
        Node = node;
        Name = node.Metadata.Name ?? "";
        Allocatable = ResourceAmounts.AllocatableOf(node);
        Unschedulable = node.Spec.Unschedulable == true;
        ReadyStatus = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status ?? "Unknown";
        Labels = node.Metadata.Labels is { } labels
            ? new Dictionary<string, string>(labels, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        FilteringTaints = [.. (node.Spec.Taints ?? []).Where(TaintToleration.Filters)
            .Select(t => new TaintReason(t, NodeFilters.UntoleratedTaintReason(t)))];
        PreferNoScheduleTaints = [.. (node.Spec.Taints ?? []).Where(t => t.Effect == TaintToleration.PreferNoSchedule)];
    }

    public Node Node { get; }

    public string Name { get; }

    public ResourceAmounts Allocatable { get; }

    /// <summary>The requests of the pods bound to this node, and assumed onto it in this pass; Pods is their count.</summary>
    public ResourceAmounts Requested { get; private set; }

    public long PodCount => Requested.Pods;

    public bool Unschedulable { get; }

    public bool Ready => ReadyStatus == "True";

    /// <summary>The Ready condition's status: True, False, or Unknown (also when the node reports none).</summary>
    public string ReadyStatus { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>The NoSchedule and NoExecute taints, in the node's order, each with its filter reason ready-made.</summary>
    public TaintReason[] FilteringTaints { get; }

    /// <summary>The PreferNoSchedule taints, which only lower the node's score.</summary>
    public Taint[] PreferNoScheduleTaints { get; }

    /// <summary>
    /// Snapshots of the nodes, ordered by name so the tie-break rotation does not depend on the
    /// caller's listing order. A pod counts against a node when bound to it and not terminal.
    /// </summary>
    public static IReadOnlyList<NodeSnapshot> Build(IEnumerable<Node> nodes, IEnumerable<Pod> boundPods)
    {
        var byName = new Dictionary<string, NodeSnapshot>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var snapshot = new NodeSnapshot(node);
            byName.TryAdd(snapshot.Name, snapshot);
        }
        foreach (var pod in boundPods)
        {
            if (pod.Spec.NodeName is { } nodeName && !IsTerminal(pod) && byName.TryGetValue(nodeName, out var snapshot))
                snapshot.Assume(pod);
        }
        return [.. byName.Values.OrderBy(n => n.Name, StringComparer.Ordinal)];
    }

    /// <summary>Counts a pod against this node, so later decisions in the same pass see it.</summary>
    public void Assume(Pod pod) => Assume(ResourceAmounts.RequestsOf(pod));

    public void Assume(ResourceAmounts requests) => Requested += requests;

    /// <summary>A finished pod holds no capacity and no place in topology counts.</summary>
    public static bool IsTerminal(Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";
}

public readonly record struct TaintReason(Taint Taint, string Reason);
