using Granary.Model;

namespace Granary.Grains.Nodes;

/// <summary>How many of a zone's nodes are not ready, as kube's node lifecycle controller judges it.</summary>
public enum ZoneState
{
    /// <summary>Evictions go on at the normal rate.</summary>
    Normal,

    /// <summary>At least 3 nodes, and at least the unhealthy threshold of them, are not ready: no new eviction taints here.</summary>
    PartialDisruption,

    /// <summary>No node of the zone is ready. If every zone is so, the control plane itself is the likelier fault: nothing is evicted.</summary>
    FullDisruption,
}

/// <summary>kube's ComputeZoneState, and the zone a node belongs to.</summary>
public static class ZoneDisruption
{
    /// <summary>The zone a node's label names; nodes without one form one zone, "" .</summary>
    public static string ZoneOf(Node node) =>
        node.Metadata.Labels?.GetValueOrDefault(NodeTaints.ZoneLabel) ?? "";

    public static ZoneState StateOf(int ready, int notReady, double unhealthyThreshold) => (ready, notReady) switch
    {
        (0, > 0) => ZoneState.FullDisruption,
        (_, > 2) when (double)notReady / (ready + notReady) >= unhealthyThreshold => ZoneState.PartialDisruption,
        _ => ZoneState.Normal,
    };
}
