using System.Text.Json.Serialization;
using Granary.Serialization;

namespace Granary.Model;

/// <summary>
/// A core/v1 Event: something that happened to an object (scheduled, pulled, started, back-off, …), as users read it
/// in <c>kubectl describe</c> and <c>kubectl get events</c>. Events have no spec or status: the whole body is the
/// record, written by whoever reports it (the scheduler, the node agent, controllers) and aggregated by count.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.Event")]
public sealed record Event : IResource<Event>
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public static ResourceKind ResourceKind => ResourceKinds.Event;

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "Event";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ObjectReference InvolvedObject { get; init; } = new();
    [Id(4)] public string? Reason { get; init; }
    [Id(5)] public string? Message { get; init; }
    [Id(6)] public EventSource? Source { get; init; }
    [Id(7)] public DateTimeOffset? FirstTimestamp { get; init; }
    [Id(8)] public DateTimeOffset? LastTimestamp { get; init; }
    [Id(9)] public int? Count { get; init; }
    /// <summary>Normal or Warning.</summary>
    [Id(10)] public string? Type { get; init; }
    [Id(11), JsonConverter(typeof(MicroTimeJsonConverter))] public DateTimeOffset? EventTime { get; init; }
    [Id(12)] public EventSeries? Series { get; init; }
    [Id(13)] public string? Action { get; init; }
    [Id(14)] public ObjectReference? Related { get; init; }
    [Id(15)] public string? ReportingComponent { get; init; }
    [Id(16)] public string? ReportingInstance { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>Who reported an event: a component ("default-scheduler", "granary-agent") and, for node components, the node.</summary>
[GenerateSerializer, Immutable, Alias("granary.EventSource")]
public sealed record EventSource
{
    [Id(0)] public string? Component { get; init; }
    [Id(1)] public string? Host { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.EventSeries")]
public sealed record EventSeries
{
    [Id(0)] public int Count { get; init; }
    [Id(1), JsonConverter(typeof(MicroTimeJsonConverter))] public DateTimeOffset? LastObservedTime { get; init; }
}
