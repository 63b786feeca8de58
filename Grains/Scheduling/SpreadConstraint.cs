using System.Collections.Immutable;
using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.Scheduling;

/// <summary>
/// A topology spread constraint as kube-scheduler's PodTopologySpread reads it: defaults filled (minDomains 1,
/// nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore) and matchLabelKeys merged into the selector.
/// </summary>
public sealed class SpreadConstraint
{
    public const string DoNotSchedule = "DoNotSchedule";
    public const string ScheduleAnyway = "ScheduleAnyway";
    public const string Honor = "Honor";
    public const string HostnameKey = "kubernetes.io/hostname";
    public const string ZoneKey = "topology.kubernetes.io/zone";

    /// <summary>kube-scheduler's system default constraints, applied to pods of a Service, ReplicaSet or StatefulSet that set none.</summary>
    public static readonly ImmutableArray<TopologySpreadConstraint> SystemDefaults =
    [
        new() { MaxSkew = 3, TopologyKey = HostnameKey, WhenUnsatisfiable = ScheduleAnyway },
        new() { MaxSkew = 5, TopologyKey = ZoneKey, WhenUnsatisfiable = ScheduleAnyway },
    ];

    private SpreadConstraint(TopologySpreadConstraint constraint, LabelSelector? selector, Pod pod)
    {
        MaxSkew = constraint.MaxSkew;
        TopologyKey = constraint.TopologyKey;
        MinDomains = constraint.MinDomains ?? 1;
        HonorNodeAffinity = constraint.NodeAffinityPolicy is null or Honor;
        HonorNodeTaints = constraint.NodeTaintsPolicy == Honor;
        SelfMatch = selector is not null && selector.Matches(pod.Metadata.Labels);
        // An empty selector counts no pod at all (kube's countPodsMatchSelector), though it matches the pod itself.
        Counted = AffinityTerm.InNamespace(pod.Metadata.Namespace ?? "", selector is { IsEmpty: false } ? selector : null, TopologyKey);
    }

    public int MaxSkew { get; }

    public string TopologyKey { get; }

    public int MinDomains { get; }

    public bool HonorNodeAffinity { get; }

    public bool HonorNodeTaints { get; }

    /// <summary>Whether the constraint's selector picks the pod being placed (it then adds one to its domain).</summary>
    public bool SelfMatch { get; }

    /// <summary>The placed pods the constraint counts: those of the pod's namespace its selector picks.</summary>
    public AffinityTerm Counted { get; }

    /// <summary>
    /// The pod's constraints with <paramref name="whenUnsatisfiable"/>; a pod that sets none gets the
    /// <see cref="SystemDefaults"/> with <paramref name="defaultSelector"/> (none when that is null or empty).
    /// </summary>
    public static ImmutableArray<SpreadConstraint> Of(Pod pod, string whenUnsatisfiable, LabelSelector? defaultSelector)
    {
        if (pod.Spec.TopologySpreadConstraints is { Count: > 0 } own)
        {
            return [.. own.Where(c => c.WhenUnsatisfiable == whenUnsatisfiable).Select(c =>
                new SpreadConstraint(c, c.LabelSelector is { } s
                    ? AffinityTerm.WithLabelKeys(s.ToSelector(), pod.Metadata.Labels, c.MatchLabelKeys, SelectorOperator.In)
                    : null, pod))];
        }
        if (defaultSelector is not { IsEmpty: false })
            return [];
        return [.. SystemDefaults.Where(c => c.WhenUnsatisfiable == whenUnsatisfiable).Select(c => new SpreadConstraint(c, defaultSelector, pod))];
    }

    /// <summary>Whether a node's pods count toward this constraint's domains (kube's matchNodeInclusionPolicies).</summary>
    public bool Includes(NodeSnapshot node, PodRequirements pod) =>
        (!HonorNodeAffinity || NodeFilters.NodeAffinity(node, pod) is null)
        && (!HonorNodeTaints || NodeFilters.UntoleratedTaint(node, pod) is null);

    public static bool HasAllKeys(NodeSnapshot node, ImmutableArray<SpreadConstraint> constraints)
    {
        foreach (var c in constraints)
        {
            if (!node.Labels.ContainsKey(c.TopologyKey))
                return false;
        }
        return true;
    }
}
