using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// Owns one PodDisruptionBudget (key "namespace/name") and is its controller (kube's disruption controller for that
/// budget): counts the selected pods, the healthy ones and the ones expected from their controllers' scale, and writes
/// the status evictions read. It is also where an eviction takes a disruption, so two evictions cannot both take the
/// last one.
/// </summary>
[Alias("granary.IPodDisruptionBudgetGrain")]
public interface IPodDisruptionBudgetGrain : IResourceGrain<PodDisruptionBudget>
{
    /// <summary>A pod this budget may select changed or went away. One-way, from the pod's grain; idempotent.</summary>
    [Alias("PodsChanged"), OneWay]
    Task PodsChangedAsync();

    /// <summary>
    /// Takes one disruption for the pod named <paramref name="podName"/> (kube's checkAndDecrement): records it in
    /// status.disruptedPods and lowers status.disruptionsAllowed in one write. Throws TooManyRequests (429) when no
    /// disruption is allowed or the status is older than the spec, Forbidden when the status is unusable. A dry run
    /// checks only. Not idempotent: each call takes one disruption.
    /// </summary>
    [Alias("TakeDisruption")]
    Task TakeDisruptionAsync(string podName, bool dryRun);
}

/// <summary>
/// The eviction API (POST pods/{name}/eviction): deletes a pod unless that would break its PodDisruptionBudget, as
/// kube-apiserver's eviction subresource does. Stateless (one activation per silo); the budget's grain is where the
/// decision is made atomic.
/// </summary>
[Alias("granary.IEvictionGrain")]
public interface IEvictionGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Evicts the pod "namespace/name", deleting it with <paramref name="options"/>. Throws NotFound, TooManyRequests
    /// (429: the budget allows no disruption now; retry later), InternalError (the pod has more than one budget),
    /// Conflict (a precondition in the options failed). A dry run checks and writes nothing.
    /// </summary>
    [Alias("Evict")]
    Task EvictAsync(string @namespace, string name, DeleteOptions options, bool dryRun);
}
