using Granary.Model;

namespace Granary.Grains.Scheduling;

/// <summary>
/// What the filters need from a pending pod, read once per pass so the per-node loop
/// neither parses quantities nor walks immutable collections.
/// </summary>
public sealed class PodRequirements
{
    private PodRequirements(Pod pod)
    {
        Pod = pod;
        Namespace = pod.Metadata.Namespace ?? "";
        Requests = ResourceAmounts.RequestsOf(pod);
        NodeSelector = pod.Spec.NodeSelector is { Count: > 0 } selector ? [.. selector] : [];
        Tolerations = pod.Spec.Tolerations is { Count: > 0 } tolerations ? [.. tolerations] : [];
        var nodeAffinity = pod.Spec.Affinity?.NodeAffinity;
        RequiredNodeAffinity = nodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        PreferredNodeAffinity = nodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution is { Count: > 0 } preferred
            ? [.. preferred.Where(t => t.Weight != 0)]
            : [];
        AffinityTerms = PodAffinityTerms.Of(pod);
    }

    public Pod Pod { get; }

    public string Namespace { get; }

    public ResourceAmounts Requests { get; }

    public KeyValuePair<string, string>[] NodeSelector { get; }

    public Toleration[] Tolerations { get; }

    /// <summary>requiredDuringSchedulingIgnoredDuringExecution: one of its terms must match, besides the nodeSelector.</summary>
    public NodeSelector? RequiredNodeAffinity { get; }

    /// <summary>preferredDuringSchedulingIgnoredDuringExecution, without the terms of weight 0 (kube skips them).</summary>
    public PreferredSchedulingTerm[] PreferredNodeAffinity { get; }

    public PodAffinityTerms AffinityTerms { get; }

    public static PodRequirements Of(Pod pod) => new(pod);
}
