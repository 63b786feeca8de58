using System.Collections.Immutable;

namespace Granary.Model;

[GenerateSerializer, Immutable, Alias("granary.Namespace")]
public sealed record Namespace : IResource<Namespace>
{
    public static ResourceKind ResourceKind => ResourceKinds.Namespace;

    /// <summary>Namespaces that always exist; they are created at start and cannot be deleted.</summary>
    public static readonly ImmutableArray<string> BuiltIn = ["default", "kube-system"];

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "Namespace";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public NamespaceSpec? Spec { get; init; }
    [Id(4)] public NamespaceStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.NamespaceSpec")]
public sealed record NamespaceSpec
{
    [Id(0)] public ImmutableList<string>? Finalizers { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.NamespaceStatus")]
public sealed record NamespaceStatus
{
    [Id(0)] public string? Phase { get; init; }
}
