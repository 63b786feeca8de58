namespace Granary.Grains.Events;

/// <summary>How long events live (kube-apiserver's --event-ttl). Bound from the silo's --event-ttl flag.</summary>
public sealed class EventOptions
{
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often expired events are looked for: a quarter of the TTL, between 1 s and 1 min.</summary>
    public TimeSpan SweepPeriod => TimeSpan.FromTicks(Math.Clamp(Ttl.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
}
