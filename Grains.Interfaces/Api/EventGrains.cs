using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>Owns one event (key "namespace/name"). Besides the API's writes, the recorders' create-or-bump.</summary>
[Alias("granary.IEventGrain")]
public interface IEventGrain : IResourceGrain<Event>
{
    /// <summary>
    /// The recorders' write: creates the event, or, when it exists, takes the newer count, lastTimestamp, message and
    /// series of <paramref name="occurrence"/> (an aggregated repeat). The count never goes down, so a repeated call
    /// is harmless. Throws Invalid for an event kube would refuse.
    /// </summary>
    [Alias("Record")]
    Task<Event> RecordAsync(Event occurrence);
}

/// <summary>
/// Deletes events older than the event TTL (kube-apiserver's --event-ttl, one hour by default). One activation
/// (key <see cref="Key"/>); level-triggered: each sweep re-reads every event, and a reminder brings it back on
/// another silo after a failover.
/// </summary>
[Alias("granary.IEventSweeperGrain")]
public interface IEventSweeperGrain : IGrainWithStringKey
{
    public const string Key = "default";

    /// <summary>Makes sure the sweeper runs (idempotent; every silo calls it at start).</summary>
    [Alias("Start"), OneWay]
    Task StartAsync();

    /// <summary>Sweeps now and returns how many events it deleted (tests and operators).</summary>
    [Alias("Sweep")]
    Task<int> SweepAsync();
}
