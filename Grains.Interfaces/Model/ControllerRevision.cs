using System.Text.Json.Serialization;
using Granary.Serialization;

namespace Granary.Model;

/// <summary>
/// An immutable snapshot of a controller's state (apps/v1 ControllerRevision): DaemonSets and StatefulSets keep one per
/// pod template they have had, so that <c>kubectl rollout history|undo</c> can show and restore an older template.
/// <see cref="Data"/> is opaque to the API; <see cref="Revision"/> orders the snapshots.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.ControllerRevision")]
public sealed record ControllerRevision : IResource<ControllerRevision>
{
    public static ResourceKind ResourceKind => ResourceKinds.ControllerRevision;

    [Id(0)] public string ApiVersion { get; init; } = "apps/v1";
    [Id(1)] public string Kind { get; init; } = "ControllerRevision";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();

    /// <summary>The serialized state; for DaemonSets and StatefulSets a strategic merge patch that restores the template.</summary>
    [Id(3)] public RawExtension? Data { get; init; }
    [Id(4)] public long Revision { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>
/// Any JSON value embedded in an object (apimachinery's runtime.RawExtension), kept as its JSON text so it passes
/// through unchanged, byte for byte: clients such as kubectl compare it with bytes they compute.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.RawExtension")]
[JsonConverter(typeof(RawExtensionJsonConverter))]
public readonly record struct RawExtension([property: Id(0)] string Json);
