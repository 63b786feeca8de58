namespace Granary.Model;

/// <summary>A reference to an object by name in the same namespace (core v1 LocalObjectReference).</summary>
[GenerateSerializer, Immutable, Alias("granary.LocalObjectReference")]
public sealed record LocalObjectReference
{
    [Id(0)] public string? Name { get; init; }
}
