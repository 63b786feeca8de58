using System.Collections.Immutable;
using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.Scheduling;

/// <summary>
/// The filters a pod must pass to land on a node. Each returns null when the pod fits, else the
/// reason worded as kube-scheduler words it, because the reasons are counted into the pod's message.
/// </summary>
public static class NodeFilters
{
    public const string UnschedulableReason = "node(s) were unschedulable";
    public const string NotReadyReason = "node(s) were not ready";
    public const string NodeSelectorReason = "node(s) didn't match Pod's node affinity/selector";
    public const string NodeAffinityConflictMessage = "pod affinity terms conflict";
    public const string NodeAffinityNodeNamesReason = "node(s) didn't satisfy plugin(s) [NodeAffinity]";
    public const string TooManyPodsReason = "Too many pods";
    public const string InsufficientCpuReason = "Insufficient cpu";
    public const string InsufficientMemoryReason = "Insufficient memory";

    // Every combination of resource shortfalls, indexed by flags (pods 1, cpu 2, memory 4), so the
    // resource filter returns its reasons without allocating.
    private static readonly ImmutableArray<string>[] ResourceReasons =
    [
        [],
        [TooManyPodsReason],
        [InsufficientCpuReason],
        [TooManyPodsReason, InsufficientCpuReason],
        [InsufficientMemoryReason],
        [TooManyPodsReason, InsufficientMemoryReason],
        [InsufficientCpuReason, InsufficientMemoryReason],
        [TooManyPodsReason, InsufficientCpuReason, InsufficientMemoryReason],
    ];

    public static string UntoleratedTaintReason(Taint taint) =>
        $"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}";

    public const string UnschedulableTaintKey = "node.kubernetes.io/unschedulable";
    public const string NotReadyTaintKey = "node.kubernetes.io/not-ready";
    public const string UnreachableTaintKey = "node.kubernetes.io/unreachable";

    private static readonly Taint UnschedulableTaint = new() { Key = UnschedulableTaintKey, Effect = TaintToleration.NoSchedule };
    private static readonly Taint NotReadyTaint = new() { Key = NotReadyTaintKey, Effect = TaintToleration.NoSchedule };
    private static readonly Taint UnreachableTaint = new() { Key = UnreachableTaintKey, Effect = TaintToleration.NoSchedule };

    /// <summary>A cordoned node, unless the pod tolerates <c>node.kubernetes.io/unschedulable:NoSchedule</c> (kube's NodeUnschedulable).</summary>
    public static string? Unschedulable(NodeSnapshot node, PodRequirements pod) =>
        node.Unschedulable && !TaintToleration.IsTolerated(UnschedulableTaint, pod.Tolerations) ? UnschedulableReason : null;

    /// <summary>
    /// A node that is not Ready. kube-scheduler itself leaves this to the taints the node lifecycle adds
    /// (<c>node.kubernetes.io/not-ready:NoSchedule</c> for Ready=False, <c>unreachable</c> for Unknown); Granary also
    /// checks the condition, so a node is passed over before its taint is written, and lets a pod that tolerates the
    /// matching taint through, as kube would.
    /// </summary>
    public static string? NotReady(NodeSnapshot node, PodRequirements pod) => node.ReadyStatus switch
    {
        "True" => null,
        "False" => TaintToleration.IsTolerated(NotReadyTaint, pod.Tolerations) ? null : NotReadyReason,
        _ => TaintToleration.IsTolerated(UnreachableTaint, pod.Tolerations) ? null : NotReadyReason,
    };

    /// <summary>The first NoSchedule or NoExecute taint, in the node's order, that no toleration of the pod matches.</summary>
    public static string? UntoleratedTaint(NodeSnapshot node, PodRequirements pod)
    {
        foreach (var taint in node.FilteringTaints)
        {
            if (!TaintToleration.IsTolerated(taint.Taint, pod.Tolerations))
                return taint.Reason;
        }
        return null;
    }

    /// <summary>kube's NodeAffinity filter: every nodeSelector label, and one term of the required node affinity.</summary>
    public static string? NodeAffinity(NodeSnapshot node, PodRequirements pod)
    {
        foreach (var (key, value) in pod.NodeSelector)
        {
            if (!node.Labels.TryGetValue(key, out var actual) || actual != value)
                return NodeSelectorReason;
        }
        if (pod.RequiredNodeAffinity is { } required && !NodeSelectorMatch.Matches(required, node.Name, node.Labels))
            return NodeSelectorReason;
        return null;
    }

    /// <summary>
    /// kube's NodeAffinity PreFilter: when every required term names nodes (<c>matchFields</c> on
    /// <c>metadata.name</c> with In, as DaemonSet pods do), only those nodes are tried; null means every node.
    /// An empty set means the terms contradict each other.
    /// </summary>
    public static HashSet<string>? NodeNames(PodRequirements pod)
    {
        if (pod.RequiredNodeAffinity is not { NodeSelectorTerms.Count: > 0 } required)
            return null;
        HashSet<string>? names = null;
        foreach (var term in required.NodeSelectorTerms)
        {
            HashSet<string>? termNames = null;
            foreach (var field in term.MatchFields ?? [])
            {
                if (field is not { Key: "metadata.name", Operator: "In" })
                    continue;
                if (termNames is null)
                    termNames = new(field.Values ?? [], StringComparer.Ordinal);
                else
                    termNames.IntersectWith(field.Values ?? []);
            }
            // A term that names no node lets every node through, as the terms are ORed.
            if (termNames is null)
                return null;
            names ??= new(StringComparer.Ordinal);
            names.UnionWith(termNames);
        }
        return names;
    }

    /// <summary>
    /// Every resource the node lacks for the pod, empty when it fits. As in kube-scheduler, a zero
    /// cpu or memory request fits even an overcommitted node.
    /// </summary>
    public static ImmutableArray<string> Resources(NodeSnapshot node, ResourceAmounts request)
    {
        var free = node.Allocatable - node.Requested;
        var flags = 0;
        if (request.Pods > free.Pods)
            flags |= 1;
        if (request.MilliCpu > 0 && request.MilliCpu > free.MilliCpu)
            flags |= 2;
        if (request.MemoryBytes > 0 && request.MemoryBytes > free.MemoryBytes)
            flags |= 4;
        return ResourceReasons[flags];
    }

    /// <summary>The filters that report one reason, in order: unschedulable, not ready, taints, node affinity and selector.</summary>
    public static string? FirstFailure(NodeSnapshot node, PodRequirements pod) =>
        Unschedulable(node, pod) ?? NotReady(node, pod) ?? UntoleratedTaint(node, pod) ?? NodeAffinity(node, pod);

    /// <summary>The filters in order, stopping at the first that fails; only the resource filter reports several reasons.</summary>
    public static ImmutableArray<string> Reasons(NodeSnapshot node, PodRequirements pod) =>
        FirstFailure(node, pod) is { } reason ? [reason] : Resources(node, pod.Requests);

    public static bool Fits(NodeSnapshot node, PodRequirements pod) =>
        FirstFailure(node, pod) is null && Resources(node, pod.Requests).IsEmpty;
}
