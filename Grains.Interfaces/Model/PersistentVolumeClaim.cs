using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// A user's request for storage (core v1 PersistentVolumeClaim). A claim of a WaitForFirstConsumer class is bound when
/// the scheduler places its first pod: the provisioner makes a volume on that node and binds the two.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.PersistentVolumeClaim")]
public sealed record PersistentVolumeClaim : IResource<PersistentVolumeClaim>
{
    public static ResourceKind ResourceKind => ResourceKinds.PersistentVolumeClaim;

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "PersistentVolumeClaim";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public PersistentVolumeClaimSpec Spec { get; init; } = new();
    [Id(4)] public PersistentVolumeClaimStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.PersistentVolumeClaimSpec")]
public sealed record PersistentVolumeClaimSpec
{
    [Id(0)] public ImmutableList<string>? AccessModes { get; init; }
    [Id(1)] public LabelSelectorSpec? Selector { get; init; }
    [Id(2)] public VolumeResourceRequirements? Resources { get; init; }
    [Id(3)] public string? VolumeName { get; init; }

    /// <summary>Null takes the default class at creation; "" asks for a volume without a class.</summary>
    [Id(4)] public string? StorageClassName { get; init; }

    [Id(5)] public string? VolumeMode { get; init; }
    [Id(6)] public TypedLocalObjectReference? DataSource { get; init; }
    [Id(7)] public TypedObjectReference? DataSourceRef { get; init; }
    [Id(8)] public string? VolumeAttributesClassName { get; init; }
}

/// <summary>The storage a claim asks for (core v1 VolumeResourceRequirements): requests.storage, and limits.</summary>
[GenerateSerializer, Immutable, Alias("granary.VolumeResourceRequirements")]
public sealed record VolumeResourceRequirements
{
    [Id(0)] public ImmutableSortedDictionary<string, Quantity>? Requests { get; init; }
    [Id(1)] public ImmutableSortedDictionary<string, Quantity>? Limits { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.TypedLocalObjectReference")]
public sealed record TypedLocalObjectReference
{
    [Id(0)] public string? ApiGroup { get; init; }
    [Id(1)] public string Kind { get; init; } = "";
    [Id(2)] public string Name { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("granary.TypedObjectReference")]
public sealed record TypedObjectReference
{
    [Id(0)] public string? ApiGroup { get; init; }
    [Id(1)] public string Kind { get; init; } = "";
    [Id(2)] public string Name { get; init; } = "";
    [Id(3)] public string? Namespace { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PersistentVolumeClaimStatus")]
public sealed record PersistentVolumeClaimStatus
{
    [Id(0)] public string? Phase { get; init; }
    [Id(1)] public ImmutableList<string>? AccessModes { get; init; }
    [Id(2)] public ImmutableSortedDictionary<string, Quantity>? Capacity { get; init; }
    [Id(3)] public ImmutableList<PersistentVolumeClaimCondition>? Conditions { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PersistentVolumeClaimCondition")]
public sealed record PersistentVolumeClaimCondition
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Status { get; init; } = "";
    [Id(2)] public DateTimeOffset? LastProbeTime { get; init; }
    [Id(3)] public DateTimeOffset? LastTransitionTime { get; init; }
    [Id(4)] public string? Reason { get; init; }
    [Id(5)] public string? Message { get; init; }
}

/// <summary>Phases of claims and volumes, access modes and the other words of core v1 storage, in one place.</summary>
public static class VolumePhases
{
    public const string Pending = "Pending";
    public const string Available = "Available";
    public const string Bound = "Bound";
    public const string Released = "Released";
    public const string Failed = "Failed";
    public const string Lost = "Lost";
}

public static class AccessModes
{
    public const string ReadWriteOnce = "ReadWriteOnce";
    public const string ReadOnlyMany = "ReadOnlyMany";
    public const string ReadWriteMany = "ReadWriteMany";
    public const string ReadWriteOncePod = "ReadWriteOncePod";

    public static readonly ImmutableArray<string> All = [ReadOnlyMany, ReadWriteMany, ReadWriteOnce, ReadWriteOncePod];

    /// <summary>kubectl's short form (RWO, ROX, RWX, RWOP), comma-separated in kube's order, as its tables print it.</summary>
    public static string Short(IEnumerable<string>? modes)
    {
        var set = (modes ?? []).ToHashSet(StringComparer.Ordinal);
        var parts = new List<string>();
        if (set.Contains(ReadWriteOnce))
            parts.Add("RWO");
        if (set.Contains(ReadOnlyMany))
            parts.Add("ROX");
        if (set.Contains(ReadWriteMany))
            parts.Add("RWX");
        if (set.Contains(ReadWriteOncePod))
            parts.Add("RWOP");
        return string.Join(',', parts);
    }
}

public static class VolumeModes
{
    public const string Filesystem = "Filesystem";
    public const string Block = "Block";

    public static readonly ImmutableArray<string> All = [Block, Filesystem];
}
