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

    /// <summary>The pods of the budget's namespace it selects, from the silo's pod cache (its label index: no scan).</summary>
    public static IReadOnlyList<Pod> PodsOf(PodDisruptionBudget pdb, KindCache pods) =>
        pdb.Spec.Selector is { } selector ? [.. pods.Selected(pdb.Metadata.Namespace!, selector.ToSelector()).Cast<Pod>()] : [];

    /// <summary>The budgets of the pod's namespace that select it, from the silo's budget cache.</summary>
    public static IReadOnlyList<PodDisruptionBudget> BudgetsOf(Pod pod, KindCache budgets) =>
        [.. budgets.Selected(pod.Metadata.Namespace!, LabelSelector.Everything).Cast<PodDisruptionBudget>().Where(b => Selects(b, pod.Metadata.Labels))];
}
