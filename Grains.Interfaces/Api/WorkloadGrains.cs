using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// Owns one ReplicaSet and is its controller: keeps spec.replicas pods that it owns (creating, adopting and deleting
/// them) and writes its status from theirs. Level-triggered: every call below only asks for a reconcile.
/// </summary>
[Alias("granary.IReplicaSetGrain")]
public interface IReplicaSetGrain : IResourceGrain<ReplicaSet>, IPodControllerGrain;

/// <summary>
/// The grain of an object that controls pods (ReplicaSet, Job, DaemonSet, StatefulSet): a pod whose controller
/// reference names it tells it of every change. <c>PodControllers</c> maps a reference's kind to the grain.
/// </summary>
[Alias("granary.IPodControllerGrain")]
public interface IPodControllerGrain : IGrainWithStringKey
{
    /// <summary>A pod this object controls changed or went away. One-way, from the pod's grain; idempotent.</summary>
    [Alias("PodChanged"), OneWay]
    Task PodChangedAsync();
}

/// <summary>
/// Owns one Deployment and is its controller: keeps one ReplicaSet per pod template revision, rolls pods from the old
/// ones to the new one within the strategy's limits, and writes its status and conditions from its ReplicaSets.
/// </summary>
[Alias("granary.IDeploymentGrain")]
public interface IDeploymentGrain : IResourceGrain<Deployment>
{
    /// <summary>A ReplicaSet this Deployment controls changed or went away. One-way; idempotent.</summary>
    [Alias("ReplicaSetChanged"), OneWay]
    Task ReplicaSetChangedAsync();
}

/// <summary>
/// Deletes dependents whose owners are gone (ownerReferences), and finishes Foreground and Orphan deletions. One per
/// cluster (key 0); a sweep runs on a timer and on every wake, so a crash between deleting an owner and its dependents
/// only delays their clean-up.
/// </summary>
[Alias("granary.IGarbageCollectorGrain")]
public interface IGarbageCollectorGrain : IGrainWithIntegerKey
{
    /// <summary>Something was deleted (or an owner created): sweep soon. One-way; idempotent.</summary>
    [Alias("Wake"), OneWay]
    Task WakeAsync();

    /// <summary>Runs one sweep now and returns how many objects it deleted or changed (tests, diagnostics).</summary>
    [Alias("Sweep")]
    Task<int> SweepAsync();
}
