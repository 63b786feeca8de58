using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Scheduling;

/// <summary>A pod's inter-pod affinity and anti-affinity terms, compiled once (kube-scheduler's PodInfo terms).</summary>
public sealed class PodAffinityTerms
{
    public static readonly PodAffinityTerms None = new([], [], [], []);

    private PodAffinityTerms(
        ImmutableArray<AffinityTerm> requiredAffinity, ImmutableArray<AffinityTerm> requiredAntiAffinity,
        ImmutableArray<WeightedTerm> preferredAffinity, ImmutableArray<WeightedTerm> preferredAntiAffinity)
    {
        RequiredAffinity = requiredAffinity;
        RequiredAntiAffinity = requiredAntiAffinity;
        PreferredAffinity = preferredAffinity;
        PreferredAntiAffinity = preferredAntiAffinity;
    }

    public ImmutableArray<AffinityTerm> RequiredAffinity { get; }

    public ImmutableArray<AffinityTerm> RequiredAntiAffinity { get; }

    public ImmutableArray<WeightedTerm> PreferredAffinity { get; }

    public ImmutableArray<WeightedTerm> PreferredAntiAffinity { get; }

    public bool IsEmpty => RequiredAffinity.IsEmpty && RequiredAntiAffinity.IsEmpty && PreferredAffinity.IsEmpty && PreferredAntiAffinity.IsEmpty;

    public static PodAffinityTerms Of(Pod pod)
    {
        var affinity = pod.Spec.Affinity;
        if (affinity?.PodAffinity is null && affinity?.PodAntiAffinity is null)
            return None;
        var terms = new PodAffinityTerms(
            Required(pod, affinity.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution),
            Required(pod, affinity.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution),
            Preferred(pod, affinity.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution),
            Preferred(pod, affinity.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution));
        return terms.IsEmpty ? None : terms;
    }

    private static ImmutableArray<AffinityTerm> Required(Pod pod, ImmutableList<PodAffinityTerm>? terms) =>
        terms is { Count: > 0 } ? [.. terms.Select(t => AffinityTerm.Of(pod, t))] : [];

    private static ImmutableArray<WeightedTerm> Preferred(Pod pod, ImmutableList<WeightedPodAffinityTerm>? terms) =>
        terms is { Count: > 0 } ? [.. terms.Select(t => new WeightedTerm(t.Weight, AffinityTerm.Of(pod, t.PodAffinityTerm)))] : [];
}

public readonly record struct WeightedTerm(int Weight, AffinityTerm Term);
