using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>Kubernetes object metadata. Users set name, namespace, labels and annotations; the owning grain sets the rest.</summary>
[GenerateSerializer, Immutable, Alias("granary.ObjectMeta")]
public sealed record ObjectMeta
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? GenerateName { get; init; }
    [Id(2)] public string? Namespace { get; init; }
    [Id(3)] public string? Uid { get; init; }
    [Id(4)] public string? ResourceVersion { get; init; }
    [Id(5)] public long? Generation { get; init; }
    [Id(6)] public DateTimeOffset? CreationTimestamp { get; init; }
    [Id(7)] public DateTimeOffset? DeletionTimestamp { get; init; }
    [Id(8)] public long? DeletionGracePeriodSeconds { get; init; }
    [Id(9)] public ImmutableSortedDictionary<string, string>? Labels { get; init; }
    [Id(10)] public ImmutableSortedDictionary<string, string>? Annotations { get; init; }
    [Id(11)] public ImmutableList<OwnerReference>? OwnerReferences { get; init; }
    [Id(12)] public ImmutableList<string>? Finalizers { get; init; }
    [Id(13)] public ImmutableList<ManagedFieldsEntry>? ManagedFields { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.OwnerReference")]
public sealed record OwnerReference
{
    [Id(0)] public string ApiVersion { get; init; } = "";
    [Id(1)] public string Kind { get; init; } = "";
    [Id(2)] public string Name { get; init; } = "";
    [Id(3)] public string Uid { get; init; } = "";
    [Id(4)] public bool? Controller { get; init; }
    [Id(5)] public bool? BlockOwnerDeletion { get; init; }
}
