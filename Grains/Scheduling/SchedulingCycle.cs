namespace Granary.Grains.Scheduling;

/// <summary>
/// One pod's filters for one pass (kube's CycleState after PreFilter), run per node in kube-scheduler's order:
/// unschedulable, not ready, taints, node affinity, resources, volumes, topology spread, inter-pod affinity.
/// </summary>
public sealed class SchedulingCycle
{
    private readonly HashSet<string>? _nodeNames;
    private readonly PodVolumes _volumes;
    private readonly TopologySpreadFilter? _spread;
    private readonly InterPodAffinityFilter? _affinity;

    public SchedulingCycle(PodRequirements pod, PodVolumes volumes, NodeSnapshot[] nodes, PodPlacements placements)
    {
        Pod = pod;
        _nodeNames = NodeFilters.NodeNames(pod);
        _volumes = volumes;
        // In kube's PreFilter order: NodeAffinity before VolumeBinding.
        Unresolvable = (_nodeNames is { Count: 0 } ? NodeFilters.NodeAffinityConflictMessage : null) ?? volumes.Unresolvable;
        if (Unresolvable is not null)
            return;
        _spread = PodTopologySpread.PreFilter(pod, nodes, placements);
        _affinity = InterPodAffinity.PreFilter(pod, nodes, placements);
    }

    public PodRequirements Pod { get; }

    /// <summary>Why no node can be tried at all (kube's PreFilter message), or null.</summary>
    public string? Unresolvable { get; }

    public bool Fits(NodeSnapshot node) =>
        (_nodeNames is null || _nodeNames.Contains(node.Name)) && NodeFilters.FirstFailure(node, Pod) is null && NodeFilters.Resources(node, Pod.Requests).IsEmpty && AfterResources(node) is null;

    /// <summary>Adds the reasons the node turns the pod away (several only for resources) to <paramref name="counts"/>.</summary>
    public void CountReasons(NodeSnapshot node, Dictionary<string, int> counts)
    {
        // A node the PreFilter left out never reaches the filters.
        if (_nodeNames is not null && !_nodeNames.Contains(node.Name))
        {
            Count(counts, NodeFilters.NodeAffinityNodeNamesReason);
            return;
        }
        if (NodeFilters.FirstFailure(node, Pod) is { } reason)
        {
            Count(counts, reason);
            return;
        }
        var shortfalls = NodeFilters.Resources(node, Pod.Requests);
        foreach (var shortfall in shortfalls)
            Count(counts, shortfall);
        // The filters after resources report only for a node with room, as kube stops at the first failing plugin.
        if (shortfalls.IsEmpty && AfterResources(node) is { } later)
            Count(counts, later);
    }

    private string? AfterResources(NodeSnapshot node) =>
        (_volumes.IsEmpty ? null : _volumes.Reason(node)) ?? _spread?.Reason(node) ?? _affinity?.Reason(node);

    private static void Count(Dictionary<string, int> counts, string reason) =>
        counts[reason] = counts.GetValueOrDefault(reason) + 1;
}
