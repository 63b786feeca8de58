using Granary.Grains.Caching;
using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.Disruption;

/// <summary>
/// Which pods a budget selects and which budgets select a pod, as policy/v1 reads a selector: a missing selector
/// selects nothing, an empty one every pod of the namespace (policy/v1beta1 differed).
/// </summary>
public static class BudgetSelection
{
    public static bool Selects(PodDisruptionBudget pdb, IReadOnlyDictionary<string, string>? podLabels) =>
        pdb.Spec.Selector is { } selector && selector.ToSelector().Matches(podLabels);

    /// <summary>The pods of the budget's namespace it selects, from the silo's pod cache.</summary>
    public static IReadOnlyList<Pod> PodsOf(PodDisruptionBudget pdb, KindCache pods)
    {
        if (pdb.Spec.Selector is not { } selector)
            return [];
        var (_, items) = pods.Snapshot(new ObjectFilter(pdb.Metadata.Namespace, selector.ToSelector(), FieldSelector.Everything));
        return [.. items.Select(i => (Pod)i.Value)];
    }

    /// <summary>The budgets of the pod's namespace that select it, from the silo's budget cache.</summary>
    public static IReadOnlyList<PodDisruptionBudget> BudgetsOf(Pod pod, KindCache budgets)
    {
        var (_, items) = budgets.Snapshot(new ObjectFilter(pod.Metadata.Namespace, LabelSelector.Everything, FieldSelector.Everything));
        return [.. items.Select(i => (PodDisruptionBudget)i.Value).Where(b => Selects(b, pod.Metadata.Labels))];
    }
}
