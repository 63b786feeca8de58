namespace Granary.Model;

/// <summary>
/// The taints the node lifecycle controller sets from a node's Ready condition (kube's well-known taint keys), and
/// the zone label it groups nodes by.
/// </summary>
public static class NodeTaints
{
    /// <summary>Ready is False: the agent says the node cannot run pods.</summary>
    public const string NotReady = "node.kubernetes.io/not-ready";

    /// <summary>Ready is Unknown: the agent stopped renewing its lease.</summary>
    public const string Unreachable = "node.kubernetes.io/unreachable";

    public const string NoSchedule = "NoSchedule";
    public const string NoExecute = "NoExecute";

    /// <summary>The label that names a node's zone (topology.kubernetes.io/zone).</summary>
    public const string ZoneLabel = "topology.kubernetes.io/zone";
}
