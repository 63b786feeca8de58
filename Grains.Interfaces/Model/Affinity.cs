using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>Where the pod may and would rather run: by node labels, and next to or away from other pods.</summary>
[GenerateSerializer, Immutable, Alias("granary.Affinity")]
public sealed record Affinity
{
    [Id(0)] public NodeAffinity? NodeAffinity { get; init; }
    [Id(1)] public PodAffinity? PodAffinity { get; init; }
    [Id(2)] public PodAntiAffinity? PodAntiAffinity { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.NodeAffinity")]
public sealed record NodeAffinity
{
    [Id(0)] public NodeSelector? RequiredDuringSchedulingIgnoredDuringExecution { get; init; }
    [Id(1)] public ImmutableList<PreferredSchedulingTerm>? PreferredDuringSchedulingIgnoredDuringExecution { get; init; }
}

/// <summary>Node selector terms, any one of which must match (the terms are ORed).</summary>
[GenerateSerializer, Immutable, Alias("granary.NodeSelector")]
public sealed record NodeSelector
{
    [Id(0)] public ImmutableList<NodeSelectorTerm> NodeSelectorTerms { get; init; } = [];
}

/// <summary>Requirements on node labels and fields, all of which must hold (ANDed).</summary>
[GenerateSerializer, Immutable, Alias("granary.NodeSelectorTerm")]
public sealed record NodeSelectorTerm
{
    [Id(0)] public ImmutableList<NodeSelectorRequirement>? MatchExpressions { get; init; }
    [Id(1)] public ImmutableList<NodeSelectorRequirement>? MatchFields { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.NodeSelectorRequirement")]
public sealed record NodeSelectorRequirement
{
    [Id(0)] public string Key { get; init; } = "";

    /// <summary>In, NotIn, Exists, DoesNotExist, Gt or Lt.</summary>
    [Id(1)] public string Operator { get; init; } = "";

    [Id(2)] public ImmutableList<string>? Values { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PreferredSchedulingTerm")]
public sealed record PreferredSchedulingTerm
{
    [Id(0)] public int Weight { get; init; }
    [Id(1)] public NodeSelectorTerm Preference { get; init; } = new();
}

[GenerateSerializer, Immutable, Alias("granary.PodAffinity")]
public sealed record PodAffinity
{
    [Id(0)] public ImmutableList<PodAffinityTerm>? RequiredDuringSchedulingIgnoredDuringExecution { get; init; }
    [Id(1)] public ImmutableList<WeightedPodAffinityTerm>? PreferredDuringSchedulingIgnoredDuringExecution { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PodAntiAffinity")]
public sealed record PodAntiAffinity
{
    [Id(0)] public ImmutableList<PodAffinityTerm>? RequiredDuringSchedulingIgnoredDuringExecution { get; init; }
    [Id(1)] public ImmutableList<WeightedPodAffinityTerm>? PreferredDuringSchedulingIgnoredDuringExecution { get; init; }
}

/// <summary>The pods (by labels, in which namespaces) this pod should run with, or away from, in one topology domain.</summary>
[GenerateSerializer, Immutable, Alias("granary.PodAffinityTerm")]
public sealed record PodAffinityTerm
{
    [Id(0)] public LabelSelectorSpec? LabelSelector { get; init; }
    [Id(1)] public ImmutableList<string>? Namespaces { get; init; }
    [Id(2)] public string TopologyKey { get; init; } = "";
    [Id(3)] public LabelSelectorSpec? NamespaceSelector { get; init; }
    [Id(4)] public ImmutableList<string>? MatchLabelKeys { get; init; }
    [Id(5)] public ImmutableList<string>? MismatchLabelKeys { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.WeightedPodAffinityTerm")]
public sealed record WeightedPodAffinityTerm
{
    [Id(0)] public int Weight { get; init; }
    [Id(1)] public PodAffinityTerm PodAffinityTerm { get; init; } = new();
}
