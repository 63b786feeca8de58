using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.Workloads;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Granary.Grains.Disruption;

/// <summary>
/// The eviction API, as kube-apiserver's eviction subresource (registry/core/pod/storage/eviction.go): a pod that is
/// not running (pending, finished) or already being deleted goes without asking any budget; a running pod asks its one
/// budget for a disruption (<see cref="IPodDisruptionBudgetGrain.TakeDisruptionAsync"/>), which refuses with 429 when it
/// has none; then the pod is marked DisruptionTarget and deleted with the eviction's options. Stateless: one
/// activation per silo, reading budgets from that silo's watch cache.
/// </summary>
[StatelessWorker]
public sealed partial class EvictionGrain(WatchCache cache, ILogger<EvictionGrain> logger) : Grain, IEvictionGrain
{
    /// <summary>Attempts when the pod changes between the read and the delete (kube's EvictionsRetry).</summary>
    private const int ConflictAttempts = 5;

    public async Task EvictAsync(string @namespace, string name, DeleteOptions options, bool dryRun)
    {
        var podGrain = GrainFactory.GetGrain<IPodGrain>(ResourceKinds.Pod.KeyOf(@namespace, name));
        var callerPinnedVersion = options.PreconditionResourceVersion is not null;
        Pod pod;
        for (var attempt = 1; ; attempt++)
        {
            pod = await podGrain.GetAsync();
            if (!CanIgnoreBudget(pod))
                break;
            // Pinned to the version read, so a pending pod that turns running meanwhile is not deleted behind its budget.
            var pinned = PodReadiness.IsActive(pod) && !callerPinnedVersion
                ? options with { PreconditionResourceVersion = pod.Metadata.ResourceVersion }
                : options;
            try
            {
                await DeleteAsync(podGrain, pinned, dryRun);
                LogEvicted(logger, @namespace, name, "not running");
                return;
            }
            catch (ConflictException) when (!callerPinnedVersion && attempt < ConflictAttempts)
            {
                // The pod changed: look at it again.
            }
        }

        var budgets = BudgetSelection.BudgetsOf(pod, await cache.ConsistentAsync(ResourceKinds.PodDisruptionBudget));
        if (budgets.Count > 1)
            throw new InternalErrorException(EvictionErrors.MoreThanOneBudget);
        var unhealthyAllowed = false;
        if (budgets is [var pdb])
        {
            unhealthyAllowed = !PodReadiness.IsReady(pod) && MayEvictUnhealthy(pdb);
            if (!unhealthyAllowed)
                await GrainFactory.GetGrain<IPodDisruptionBudgetGrain>(ResourceKinds.PodDisruptionBudget.KeyOf(@namespace, pdb.Metadata.Name!))
                    .TakeDisruptionAsync(name, dryRun);
        }

        // An unhealthy pod let go without a disruption must still be the pod judged unhealthy.
        var deleteOptions = unhealthyAllowed && !callerPinnedVersion ? options with { PreconditionResourceVersion = pod.Metadata.ResourceVersion } : options;
        try
        {
            await DeleteAsync(podGrain, deleteOptions, dryRun);
        }
        catch (ConflictException) when (unhealthyAllowed && !callerPinnedVersion)
        {
            throw EvictionErrors.StillProcessing(budgets[0].Metadata.Name!);
        }
        LogEvicted(logger, @namespace, name, budgets.Count == 0 ? "no disruption budget" : unhealthyAllowed ? "not ready" : "within its disruption budget");
    }

    /// <summary>A pod that is not running, or already going, has disrupted its application already: no budget is asked.</summary>
    private static bool CanIgnoreBudget(Pod pod) =>
        pod.Status?.Phase is "Succeeded" or "Failed" or "Pending" || pod.Metadata.DeletionTimestamp is not null;

    /// <summary>
    /// Whether a running pod that is not ready may go without taking a disruption: always under AlwaysAllow; under
    /// IfHealthyBudget (the default) only while the budget is met, since the application is not disrupted then.
    /// </summary>
    private static bool MayEvictUnhealthy(PodDisruptionBudget pdb) =>
        pdb.Spec.UnhealthyPodEvictionPolicy == PodDisruptionBudgetSpec.AlwaysAllow
        || pdb.Status is { } status && status.CurrentHealthy >= status.DesiredHealthy && status.DesiredHealthy > 0;

    private static Task DeleteAsync(IPodGrain podGrain, DeleteOptions options, bool dryRun) => podGrain.MarkDisruptedAndDeleteAsync(options, dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted pod {Namespace}/{Name} ({Why})")]
    private static partial void LogEvicted(ILogger logger, string @namespace, string name, string why);
}
