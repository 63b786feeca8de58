using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>A node selector (core v1 NodeSelector): the node must match one of the terms.</summary>
[GenerateSerializer, Immutable, Alias("granary.NodeSelector")]
public sealed record NodeSelector
{
    [Id(0)] public ImmutableList<NodeSelectorTerm> NodeSelectorTerms { get; init; } = [];
}

/// <summary>One term: every expression (on labels) and every field requirement must hold.</summary>
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
