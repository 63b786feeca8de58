using Granary.Model;

namespace Granary.Events;

/// <summary>
/// client-go's EventSourceObjectSpamFilter: each source (component and host) may report a burst of
/// <see cref="Burst"/> events of one type about one object, then one more every <see cref="RefillEvery"/>; past that
/// its events are dropped before they are written. A token bucket per (source, object, type), kept for the
/// <see cref="Capacity"/> most recently reporting keys. Not thread-safe: callers lock.
/// </summary>
public sealed class EventSpamFilter(int burst = EventSpamFilter.DefaultBurst, TimeSpan? refillEvery = null, int capacity = EventCorrelator.DefaultCapacity)
{
    /// <summary>client-go's defaultSpamBurst.</summary>
    public const int DefaultBurst = 25;

    /// <summary>client-go's defaultSpamQPS is 1/300: one token every five minutes.</summary>
    public static readonly TimeSpan DefaultRefillEvery = TimeSpan.FromMinutes(5);

    private readonly LeastRecentlyUsed<Bucket> _buckets = new(capacity);

    public int Burst { get; } = burst;

    public TimeSpan RefillEvery { get; } = refillEvery ?? DefaultRefillEvery;

    public int Capacity { get; } = capacity;

    /// <summary>True when the event may be written (and takes a token); false when it is spam and must be dropped.</summary>
    public bool Allows(EventSource source, ObjectReference involved, string type, DateTimeOffset now)
    {
        var key = string.Join('\u001f', source.Component, source.Host, involved.Kind, involved.Namespace, involved.Name, involved.Uid, involved.ApiVersion, type);
        var bucket = _buckets.TryGet(key, out var b) ? b.Refilled(now, Burst, RefillEvery) : new Bucket(Burst, now);
        var allowed = bucket.Tokens >= 1;
        _buckets.Set(key, allowed ? bucket with { Tokens = bucket.Tokens - 1 } : bucket);
        return allowed;
    }

    private sealed record Bucket(double Tokens, DateTimeOffset At)
    {
        public Bucket Refilled(DateTimeOffset now, int burst, TimeSpan refillEvery) =>
            now <= At ? this : new Bucket(Math.Min(burst, Tokens + (now - At) / refillEvery), now);
    }
}
