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
        Requests = ResourceAmounts.RequestsOf(pod);
        NodeSelector = pod.Spec.NodeSelector is { Count: > 0 } selector ? [.. selector] : [];
        Tolerations = pod.Spec.Tolerations is { Count: > 0 } tolerations ? [.. tolerations] : [];
    }

    public Pod Pod { get; }

    public ResourceAmounts Requests { get; }

    public KeyValuePair<string, string>[] NodeSelector { get; }

    public Toleration[] Tolerations { get; }

    public static PodRequirements Of(Pod pod) => new(pod);
}
