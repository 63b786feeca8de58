using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// The cluster's scheduler (one activation, key <see cref="Key"/>). It decides against an in-memory
/// snapshot of nodes and pods and binds in parallel. Level-triggered: a wake-up only prompts a pass.
/// </summary>
[Alias("granary.ISchedulerGrain")]
public interface ISchedulerGrain : IGrainWithStringKey
{
    public const string Key = "default";

    /// <summary>
    /// Prompts a scheduling pass soon. Idempotent and cheap; many wake-ups coalesce into one pass, and a wake-up
    /// never waits behind a running pass.
    /// </summary>
    [Alias("Wake"), OneWay, AlwaysInterleave]
    Task WakeAsync();

    [Alias("Stats")]
    Task<SchedulerStats> GetStatsAsync();
}

[GenerateSerializer, Immutable, Alias("granary.SchedulerStats")]
public sealed record SchedulerStats(
    [property: Id(0)] long Passes,
    [property: Id(1)] long Bound,
    [property: Id(2)] int Pending,
    [property: Id(3)] int Unschedulable)
{
    /// <summary>No pass is due: the scheduler waits for a change (its timer is disarmed).</summary>
    [Id(4)] public bool Idle { get; init; }

    /// <summary>Decisions bound or being bound that the cache does not show yet (they hold their node's room).</summary>
    [Id(5)] public int Assumed { get; init; }
}
