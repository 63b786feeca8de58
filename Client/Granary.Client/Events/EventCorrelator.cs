using System.Globalization;
using Granary.Model;

namespace Granary.Events;

/// <summary>
/// Names events and aggregates repeats, as client-go's EventCorrelator does: an event identical to one seen within
/// <see cref="Window"/> (same involved object and part, type, reason, message and source) becomes the same event with
/// its count raised and lastTimestamp moved, instead of a new object. A new event is named
/// <c>&lt;involved name&gt;.&lt;16 hex digits of its time in Unix nanoseconds&gt;</c>. Remembers the most recent
/// <see cref="Capacity"/> distinct events (least recently seen forgotten first). Not thread-safe: callers lock.
/// </summary>
public sealed class EventCorrelator(TimeSpan window, int capacity = EventCorrelator.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    private readonly Dictionary<string, LinkedListNode<Seen>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<Seen> _recency = new();
    private long _lastNanos;

    public TimeSpan Window { get; } = window;

    public int Capacity { get; } = capacity;

    /// <summary>The event to write for one occurrence at <paramref name="now"/>: a new one, or a seen one with a higher count.</summary>
    public Event Correlate(EventSource source, ObjectReference involved, string type, string reason, string message, DateTimeOffset now)
    {
        var key = KeyOf(source, involved, type, reason, message);
        if (_byKey.TryGetValue(key, out var node) && now - node.Value.Last <= Window)
        {
            _recency.Remove(node);
            node.Value = node.Value with { Count = node.Value.Count + 1, Last = now };
            _recency.AddFirst(node);
            return Build(node.Value, source, involved, type, reason, message);
        }
        if (node is not null)
        {
            _recency.Remove(node);
            _byKey.Remove(key);
        }
        var seen = new Seen(key, NameFor(involved.Name ?? "", now), 1, now, now);
        _byKey[key] = _recency.AddFirst(seen);
        while (_byKey.Count > Capacity && _recency.Last is { } oldest)
        {
            _recency.RemoveLast();
            _byKey.Remove(oldest.Value.Key);
        }
        return Build(seen, source, involved, type, reason, message);
    }

    /// <summary>The namespace an event about <paramref name="involved"/> lives in: its own, or "default" for cluster-scoped objects.</summary>
    public static string NamespaceOf(ObjectReference involved) => string.IsNullOrEmpty(involved.Namespace) ? "default" : involved.Namespace;

    private string NameFor(string involvedName, DateTimeOffset now)
    {
        // Unix nanoseconds; strictly increasing, so two events in the same tick (or a coarse clock) never share a name.
        var nanos = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        nanos = Math.Max(nanos, _lastNanos + 1);
        _lastNanos = nanos;
        return string.Create(CultureInfo.InvariantCulture, $"{involvedName}.{nanos:x16}");
    }

    private static Event Build(Seen seen, EventSource source, ObjectReference involved, string type, string reason, string message) => new()
    {
        Metadata = new ObjectMeta { Name = seen.Name, Namespace = NamespaceOf(involved) },
        InvolvedObject = involved,
        Reason = reason,
        Message = message,
        Source = source,
        FirstTimestamp = WholeSeconds(seen.First),
        LastTimestamp = WholeSeconds(seen.Last),
        Count = seen.Count,
        Type = type,
        ReportingComponent = source.Component ?? "",
        ReportingInstance = source.Host ?? "",
    };

    // firstTimestamp and lastTimestamp are metav1.Time: whole seconds on the wire.
    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static string KeyOf(EventSource source, ObjectReference o, string type, string reason, string message) =>
        string.Join('\u001f', source.Component, source.Host, o.Kind, o.Namespace, o.Name, o.Uid, o.ApiVersion, o.FieldPath, type, reason, message);

    private sealed record Seen(string Key, string Name, int Count, DateTimeOffset First, DateTimeOffset Last);
}
