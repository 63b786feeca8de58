namespace Granary.Grains.Events;

/// <summary>
/// How long events live (kube-apiserver's --event-ttl, bound from the silo's --event-ttl flag) and how many are kept
/// (section "Events"). kube-apiserver bounds events by their TTL alone, so their number grows with the rate they are
/// written: a scheduler reporting thousands of unschedulable pods a minute fills memory for an hour. Here every silo
/// holds all events in its watch cache, so they are also capped by count and by bytes; past either cap the least
/// recently written are deleted first, within <see cref="LimitCheckPeriod"/>.
/// </summary>
public sealed class EventOptions
{
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most events kept in the cluster.</summary>
    public int MaxCount { get; set; } = 10_000;

    /// <summary>The most bytes of events kept in the cluster, counted as the length of their stored JSON.</summary>
    public long MaxBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>How often the count and bytes of events are compared with the caps (a cheap read of the watch cache's totals).</summary>
    public TimeSpan LimitCheckPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often expired events are looked for: a quarter of the TTL, between 1 s and 1 min.</summary>
    public TimeSpan SweepPeriod => TimeSpan.FromTicks(Math.Clamp(Ttl.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));

    /// <summary>
    /// A cap, once passed, is brought down to this fraction of itself, so that a steady stream of events is pruned in
    /// batches rather than one deletion per new event.
    /// </summary>
    public const double LowWaterMark = 0.9;
}
