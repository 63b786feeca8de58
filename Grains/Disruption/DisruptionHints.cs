using System.Collections.Immutable;
using Granary.Api;
using Granary.Grains.Caching;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Disruption;

/// <summary>
/// Tells the disruption budgets that select a pod (before or after its change) that it changed, when the change can
/// matter to their counts: pods do not point to budgets, so the pod's grain asks. Only a change of labels, readiness,
/// phase, deletion, controller or existence costs a look at the namespace's budgets in the local cache; a budget the cache
/// does not know yet counts its pods on its own creation, so a missed hint only delays.
/// </summary>
public static class DisruptionHints
{
    public static Task PodChangedAsync(IGrainFactory grains, WatchCache cache, Pod? before, Pod? after)
    {
        if (before is not null && after is not null && Projection(before) == Projection(after))
            return Task.CompletedTask;
        var pod = (after ?? before)!;
        var budgets = cache.For(ResourceKinds.PodDisruptionBudget).Selected(pod.Metadata.Namespace!, Selectors.LabelSelector.Everything);
        var hints = new List<Task>();
        foreach (var pdb in budgets.Cast<PodDisruptionBudget>())
        {
            if (BudgetSelection.Selects(pdb, before?.Metadata.Labels) || BudgetSelection.Selects(pdb, after?.Metadata.Labels))
                hints.Add(grains.GetGrain<IPodDisruptionBudgetGrain>(ResourceKinds.PodDisruptionBudget.KeyOf(pdb.Metadata.Namespace, pdb.Metadata.Name!)).PodsChangedAsync());
        }
        return Task.WhenAll(hints);
    }

    private static string Projection(Pod pod) => string.Join("|",
        string.Join(",", pod.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty),
        PodReadiness.IsReady(pod),
        pod.Status?.Phase,
        pod.Metadata.DeletionTimestamp is null,
        OwnerReferences.ControllerRef(pod.Metadata)?.Uid);
}
