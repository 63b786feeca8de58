using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// A volume of the pod: a name and exactly one source. Only the sources Granary's node agent implements are modelled;
/// kube's other in-tree and CSI sources are unknown fields here, and a volume left without a source is refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.Volume")]
public sealed record Volume
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public EmptyDirVolumeSource? EmptyDir { get; init; }
    [Id(2)] public HostPathVolumeSource? HostPath { get; init; }
    [Id(3)] public ConfigMapVolumeSource? ConfigMap { get; init; }
    [Id(4)] public SecretVolumeSource? Secret { get; init; }
    [Id(5)] public ProjectedVolumeSource? Projected { get; init; }
    [Id(6)] public DownwardAPIVolumeSource? DownwardAPI { get; init; }
    [Id(7)] public PersistentVolumeClaimVolumeSource? PersistentVolumeClaim { get; init; }
}

/// <summary>A directory that lives as long as the pod: on the node's disk, or in memory (tmpfs) with medium Memory.</summary>
[GenerateSerializer, Immutable, Alias("granary.EmptyDirVolumeSource")]
public sealed record EmptyDirVolumeSource
{
    [Id(0)] public string? Medium { get; init; }
    [Id(1)] public Quantity? SizeLimit { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.HostPathVolumeSource")]
public sealed record HostPathVolumeSource
{
    [Id(0)] public string Path { get; init; } = "";

    /// <summary>"" (no check), DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.</summary>
    [Id(1)] public string? Type { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ConfigMapVolumeSource")]
public sealed record ConfigMapVolumeSource
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public ImmutableList<KeyToPath>? Items { get; init; }
    [Id(2)] public int? DefaultMode { get; init; }
    [Id(3)] public bool? Optional { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.SecretVolumeSource")]
public sealed record SecretVolumeSource
{
    [Id(0)] public string? SecretName { get; init; }
    [Id(1)] public ImmutableList<KeyToPath>? Items { get; init; }
    [Id(2)] public int? DefaultMode { get; init; }
    [Id(3)] public bool? Optional { get; init; }
}

/// <summary>One key of a ConfigMap or Secret written to a relative path of the volume, with its own file mode.</summary>
[GenerateSerializer, Immutable, Alias("granary.KeyToPath")]
public sealed record KeyToPath
{
    [Id(0)] public string Key { get; init; } = "";
    [Id(1)] public string Path { get; init; } = "";
    [Id(2)] public int? Mode { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PersistentVolumeClaimVolumeSource")]
public sealed record PersistentVolumeClaimVolumeSource
{
    [Id(0)] public string ClaimName { get; init; } = "";
    [Id(1)] public bool? ReadOnly { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.DownwardAPIVolumeSource")]
public sealed record DownwardAPIVolumeSource
{
    [Id(0)] public ImmutableList<DownwardAPIVolumeFile>? Items { get; init; }
    [Id(1)] public int? DefaultMode { get; init; }
}

/// <summary>A file holding one field of the pod (fieldRef) or one resource of a container (resourceFieldRef).</summary>
[GenerateSerializer, Immutable, Alias("granary.DownwardAPIVolumeFile")]
public sealed record DownwardAPIVolumeFile
{
    [Id(0)] public string Path { get; init; } = "";
    [Id(1)] public ObjectFieldSelector? FieldRef { get; init; }
    [Id(2)] public ResourceFieldSelector? ResourceFieldRef { get; init; }
    [Id(3)] public int? Mode { get; init; }
}
