using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// Owns one Job (key "namespace/name") and is its controller: runs its pods to completion within its limits, counts
/// them with the tracking finalizer, and writes its status and conditions. Level-triggered: the calls below only ask
/// for a reconcile.
/// </summary>
[Alias("granary.IJobGrain")]
public interface IJobGrain : IResourceGrain<Job>, IPodControllerGrain;

/// <summary>
/// Owns one CronJob and is its controller: makes a Job at each scheduled time (a reminder survives a silo's failover),
/// applies the concurrency policy, keeps the history limits and writes its status from its Jobs.
/// </summary>
[Alias("granary.ICronJobGrain")]
public interface ICronJobGrain : IResourceGrain<CronJob>
{
    /// <summary>A Job this CronJob controls changed or went away. One-way, from the Job's grain; idempotent.</summary>
    [Alias("JobChanged"), OneWay]
    Task JobChangedAsync();
}
