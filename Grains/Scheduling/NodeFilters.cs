using System.Collections.Immutable;
using Granary.Model;

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

    public static string? Unschedulable(NodeSnapshot node) => node.Unschedulable ? UnschedulableReason : null;

    public static string? NotReady(NodeSnapshot node) => node.Ready ? null : NotReadyReason;

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

    public static string? NodeSelector(NodeSnapshot node, PodRequirements pod)
    {
        foreach (var (key, value) in pod.NodeSelector)
        {
            if (!node.Labels.TryGetValue(key, out var actual) || actual != value)
                return NodeSelectorReason;
        }
        return null;
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

    /// <summary>The filters that report one reason, in order: unschedulable, not ready, taints, node selector.</summary>
    public static string? FirstFailure(NodeSnapshot node, PodRequirements pod) =>
        Unschedulable(node) ?? NotReady(node) ?? UntoleratedTaint(node, pod) ?? NodeSelector(node, pod);

    /// <summary>The filters in order, stopping at the first that fails; only the resource filter reports several reasons.</summary>
    public static ImmutableArray<string> Reasons(NodeSnapshot node, PodRequirements pod) =>
        FirstFailure(node, pod) is { } reason ? [reason] : Resources(node, pod.Requests);

    public static bool Fits(NodeSnapshot node, PodRequirements pod) =>
        FirstFailure(node, pod) is null && Resources(node, pod.Requests).IsEmpty;
}
