using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// A class of storage (storage.k8s.io/v1 StorageClass), cluster-scoped. Granary ships <c>local-path</c> as the default,
/// as k3s does. A StorageClass has no spec: its fields are at the top level and are fixed once created.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.StorageClass")]
public sealed record StorageClass : IResource<StorageClass>
{
    public static ResourceKind ResourceKind => ResourceKinds.StorageClass;

    /// <summary>The annotation that marks the class claims without a storageClassName get.</summary>
    public const string IsDefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";

    /// <summary>The beta form of the same annotation, still honoured by kube.</summary>
    public const string BetaIsDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class";

    [Id(0)] public string ApiVersion { get; init; } = "storage.k8s.io/v1";
    [Id(1)] public string Kind { get; init; } = "StorageClass";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public string Provisioner { get; init; } = "";
    [Id(4)] public ImmutableSortedDictionary<string, string>? Parameters { get; init; }
    [Id(5)] public string? ReclaimPolicy { get; init; }
    [Id(6)] public ImmutableList<string>? MountOptions { get; init; }
    [Id(7)] public bool? AllowVolumeExpansion { get; init; }
    [Id(8)] public string? VolumeBindingMode { get; init; }
    [Id(9)] public ImmutableList<TopologySelectorTerm>? AllowedTopologies { get; init; }

    /// <summary>Whether the class is marked default (the GA or the beta annotation set to "true").</summary>
    public bool IsDefault =>
        Metadata.Annotations is { } a
        && (a.GetValueOrDefault(IsDefaultClassAnnotation) == "true" || a.GetValueOrDefault(BetaIsDefaultClassAnnotation) == "true");

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.TopologySelectorTerm")]
public sealed record TopologySelectorTerm
{
    [Id(0)] public ImmutableList<TopologySelectorLabelRequirement>? MatchLabelExpressions { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.TopologySelectorLabelRequirement")]
public sealed record TopologySelectorLabelRequirement
{
    [Id(0)] public string Key { get; init; } = "";
    [Id(1)] public ImmutableList<string> Values { get; init; } = [];
}

public static class VolumeBindingModes
{
    public const string Immediate = "Immediate";
    public const string WaitForFirstConsumer = "WaitForFirstConsumer";

    public static readonly ImmutableArray<string> All = [Immediate, WaitForFirstConsumer];
}
