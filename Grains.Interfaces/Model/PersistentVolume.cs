using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// A piece of storage in the cluster (core v1 PersistentVolume), cluster-scoped. Granary's provisioner makes one per
/// claim of the local-path class: a directory on the node where the claim's first pod runs.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.PersistentVolume")]
public sealed record PersistentVolume : IResource<PersistentVolume>
{
    public static ResourceKind ResourceKind => ResourceKinds.PersistentVolume;

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "PersistentVolume";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public PersistentVolumeSpec Spec { get; init; } = new();
    [Id(4)] public PersistentVolumeStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.PersistentVolumeSpec")]
public sealed record PersistentVolumeSpec
{
    [Id(0)] public ImmutableSortedDictionary<string, Quantity>? Capacity { get; init; }
    [Id(1)] public ImmutableList<string>? AccessModes { get; init; }
    [Id(2)] public string? PersistentVolumeReclaimPolicy { get; init; }
    [Id(3)] public string? StorageClassName { get; init; }
    [Id(4)] public ObjectReference? ClaimRef { get; init; }
    [Id(5)] public VolumeNodeAffinity? NodeAffinity { get; init; }
    [Id(6)] public string? VolumeMode { get; init; }
    [Id(7)] public HostPathVolumeSource? HostPath { get; init; }
    [Id(8)] public LocalVolumeSource? Local { get; init; }
    [Id(9)] public ImmutableList<string>? MountOptions { get; init; }
    [Id(10)] public string? VolumeAttributesClassName { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PersistentVolumeStatus")]
public sealed record PersistentVolumeStatus
{
    [Id(0)] public string? Phase { get; init; }
    [Id(1)] public string? Message { get; init; }
    [Id(2)] public string? Reason { get; init; }
    [Id(3)] public DateTimeOffset? LastPhaseTransitionTime { get; init; }
}

/// <summary>The nodes a volume can be reached from (required node selector terms).</summary>
[GenerateSerializer, Immutable, Alias("granary.VolumeNodeAffinity")]
public sealed record VolumeNodeAffinity
{
    [Id(0)] public NodeSelector? Required { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.LocalVolumeSource")]
public sealed record LocalVolumeSource
{
    [Id(0)] public string Path { get; init; } = "";
    [Id(1)] public string? FsType { get; init; }
}

/// <summary>What happens to a volume when its claim is deleted.</summary>
public static class ReclaimPolicies
{
    public const string Delete = "Delete";
    public const string Retain = "Retain";
    public const string Recycle = "Recycle";

    /// <summary>The policies a StorageClass may name (Recycle is a volume's only).</summary>
    public static readonly ImmutableArray<string> ForClasses = [Delete, Retain];

    public static readonly ImmutableArray<string> ForVolumes = [Delete, Recycle, Retain];
}
