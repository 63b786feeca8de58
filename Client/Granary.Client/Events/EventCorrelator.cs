using System.Globalization;
using Granary.Model;

namespace Granary.Events;

/// <summary>
/// Names events and aggregates repeats, as client-go's EventCorrelator does: an event identical to one seen within
/// <see cref="Window"/> (same involved object and part, type, reason, message and source) becomes the same event with
/// its count raised and lastTimestamp moved, instead of a new object. A new event is named
/// <c>&lt;involved name&gt;.&lt;16 hex digits of its time in Unix nanoseconds&gt;</c>. Remembers the most recent
/// <see cref="Capacity"/> distinct events (least recently seen forgotten first).
/// Like client-go's EventAggregator, it also folds events that differ only in their message: once
/// <see cref="MaxSimilar"/> different messages of one source, object, type and reason are seen within the window, the
/// next ones become one event whose message starts "(combined from similar events): " and whose count rises. So an
/// object reported on with ever-changing messages costs one event, not one per message. Not thread-safe: callers lock.
/// </summary>
public sealed class EventCorrelator(TimeSpan window, int capacity = EventCorrelator.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    /// <summary>client-go's defaultAggregateMaxEvents.</summary>
    public const int MaxSimilar = 10;

    public const string CombinedPrefix = "(combined from similar events): ";

    private readonly Dictionary<string, LinkedListNode<Seen>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<Seen> _recency = new();
    private readonly LeastRecentlyUsed<Similar> _similar = new(capacity);
    private long _lastNanos;

    public TimeSpan Window { get; } = window;

    public int Capacity { get; } = capacity;

    /// <summary>The event to write for one occurrence at <paramref name="now"/>: a new one, or a seen one with a higher count.</summary>
    public Event Correlate(EventSource source, ObjectReference involved, string type, string reason, string message, DateTimeOffset now)
    {
        var key = KeyOf(source, involved, type, reason, message);
        if (Aggregated(source, involved, type, reason, message, now) is { } aggregateKey)
        {
            key = aggregateKey;
            message = CombinedPrefix + message;
        }
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

    /// <summary>
    /// Notes <paramref name="message"/> among the similar events' messages; returns the key of the combined event once
    /// <see cref="MaxSimilar"/> different messages were seen within the window (client-go's EventAggregate).
    /// </summary>
    private string? Aggregated(EventSource source, ObjectReference involved, string type, string reason, string message, DateTimeOffset now)
    {
        var aggregateKey = string.Join('\u001f', source.Component, source.Host, involved.Kind, involved.Namespace, involved.Name, involved.Uid, involved.ApiVersion, type, reason);
        var similar = _similar.TryGet(aggregateKey, out var s) && now - s.Last <= Window ? s : new Similar([]);
        similar.Last = now;
        _similar.Set(aggregateKey, similar);
        if (similar.Messages.Contains(message) || similar.Messages.Count < MaxSimilar - 1)
        {
            similar.Messages.Add(message);
            return null;
        }
        // The set stays at its size: what it holds now only decides that the next ones are combined too.
        return aggregateKey + "\u001fcombined";
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

    private sealed class Similar(HashSet<string> messages)
    {
        public HashSet<string> Messages { get; } = messages;

        public DateTimeOffset Last { get; set; }
    }

    private sealed record Seen(string Key, string Name, int Count, DateTimeOffset First, DateTimeOffset Last);
}
