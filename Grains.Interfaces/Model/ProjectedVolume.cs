using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>Several sources (ConfigMaps, Secrets, downward API, a service account token, trust bundles) in one directory.</summary>
[GenerateSerializer, Immutable, Alias("granary.ProjectedVolumeSource")]
public sealed record ProjectedVolumeSource
{
    [Id(0)] public ImmutableList<VolumeProjection>? Sources { get; init; }
    [Id(1)] public int? DefaultMode { get; init; }
}

/// <summary>One source of a projected volume; exactly one field is set.</summary>
[GenerateSerializer, Immutable, Alias("granary.VolumeProjection")]
public sealed record VolumeProjection
{
    [Id(0)] public ConfigMapProjection? ConfigMap { get; init; }
    [Id(1)] public SecretProjection? Secret { get; init; }
    [Id(2)] public DownwardAPIProjection? DownwardAPI { get; init; }
    [Id(3)] public ServiceAccountTokenProjection? ServiceAccountToken { get; init; }
    [Id(4)] public ClusterTrustBundleProjection? ClusterTrustBundle { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ConfigMapProjection")]
public sealed record ConfigMapProjection
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public ImmutableList<KeyToPath>? Items { get; init; }
    [Id(2)] public bool? Optional { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.SecretProjection")]
public sealed record SecretProjection
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public ImmutableList<KeyToPath>? Items { get; init; }
    [Id(2)] public bool? Optional { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.DownwardAPIProjection")]
public sealed record DownwardAPIProjection
{
    [Id(0)] public ImmutableList<DownwardAPIVolumeFile>? Items { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ServiceAccountTokenProjection")]
public sealed record ServiceAccountTokenProjection
{
    [Id(0)] public string? Audience { get; init; }
    [Id(1)] public long? ExpirationSeconds { get; init; }
    [Id(2)] public string Path { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("granary.ClusterTrustBundleProjection")]
public sealed record ClusterTrustBundleProjection
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? SignerName { get; init; }
    [Id(2)] public LabelSelectorSpec? LabelSelector { get; init; }
    [Id(3)] public bool? Optional { get; init; }
    [Id(4)] public string Path { get; init; } = "";
}
