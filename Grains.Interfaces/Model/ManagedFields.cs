using System.Text.Json.Serialization;
using Granary.Serialization;

namespace Granary.Model;

/// <summary>
/// Which manager owns which fields of an object (server-side apply), as kube-apiserver records it in
/// <c>metadata.managedFields</c>: one entry per manager and operation.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.ManagedFieldsEntry")]
public sealed record ManagedFieldsEntry
{
    [Id(0)] public string? Manager { get; init; }

    /// <summary>"Apply" or "Update".</summary>
    [Id(1)] public string? Operation { get; init; }
    [Id(2)] public string? ApiVersion { get; init; }
    [Id(3)] public DateTimeOffset? Time { get; init; }

    /// <summary>Always "FieldsV1", the only format Kubernetes defines.</summary>
    [Id(4)] public string? FieldsType { get; init; }
    [Id(5)] public FieldsV1? FieldsV1 { get; init; }
    [Id(6)] public string? Subresource { get; init; }
}

/// <summary>
/// A set of field paths in Kubernetes' FieldsV1 JSON form (<c>{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{}}}}</c>).
/// Kept as its JSON text: its keys are data, not fields of a type, so it passes through unchanged.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.FieldsV1")]
[JsonConverter(typeof(FieldsV1JsonConverter))]
public readonly record struct FieldsV1([property: Id(0)] string Json);
