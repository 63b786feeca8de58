using Granary.Model;

namespace Granary.Events;

/// <summary>
/// Records events about objects, as client-go's EventRecorder does: the call returns at once and never throws;
/// the write happens in the background (identical events aggregated by count), and a failed write is logged.
/// Obtain one from the process's EventBroadcaster (Granary.Client), which stamps every event with its source.
/// </summary>
public interface IEventRecorder
{
    /// <param name="involved">The object the event is about (<see cref="ObjectReference.To"/>), with a fieldPath for a part of it.</param>
    /// <param name="type"><see cref="Event.Normal"/> or <see cref="Event.Warning"/>.</param>
    /// <param name="reason">A short UpperCamelCase machine word: Scheduled, Pulled, BackOff, …</param>
    /// <param name="message">What happened, for people.</param>
    void Record(ObjectReference involved, string type, string reason, string message);
}

public static class EventRecorderExtensions
{
    /// <summary>Records an event about <paramref name="resource"/> (or one of its parts, by <paramref name="fieldPath"/>).</summary>
    public static void Record(this IEventRecorder recorder, IResource resource, string type, string reason, string message, string? fieldPath = null) =>
        recorder.Record(ObjectReference.To(resource, fieldPath), type, reason, message);
}

/// <summary>Where recorded events go: the grains on a silo, the agent's Node grain on a worker. May throw; the broadcaster logs it.</summary>
public interface IEventSink
{
    /// <summary>Writes a batch: each event is created, or (same name) its count and lastTimestamp are raised.</summary>
    Task WriteAsync(IReadOnlyList<Event> events, CancellationToken ct);
}
