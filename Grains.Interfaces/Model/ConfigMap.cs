using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// Configuration for pods (core v1 ConfigMap): text in <see cref="Data"/>, binary values in <see cref="BinaryData"/>,
/// each key in one of the two only. With <see cref="Immutable"/> true neither (nor the flag) can change any more.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.ConfigMap")]
public sealed record ConfigMap : IResource<ConfigMap>
{
    public static ResourceKind ResourceKind => ResourceKinds.ConfigMap;

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "ConfigMap";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ImmutableSortedDictionary<string, string>? Data { get; init; }
    [Id(4)] public ImmutableSortedDictionary<string, Bytes>? BinaryData { get; init; }
    [Id(5)] public bool? Immutable { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}
