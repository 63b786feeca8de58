using System.Collections.Immutable;
using Granary.Errors;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' PodDisruptionBudget rules (policy/v1 ValidatePodDisruptionBudgetSpec): at most one of minAvailable and
/// maxUnavailable, each a non-negative count or a percentage up to 100%, a well-formed selector, a known
/// unhealthyPodEvictionPolicy. Unlike apps/v1, the spec (selector included) may change.
/// </summary>
public static class PodDisruptionBudgetValidation
{
    public const string BothSet = "minAvailable and maxUnavailable cannot be both set";

    public static readonly ImmutableArray<string> UnhealthyPodEvictionPolicies =
        [PodDisruptionBudgetSpec.AlwaysAllow, PodDisruptionBudgetSpec.IfHealthyBudget];

    public static ImmutableList<FieldError> Validate(PodDisruptionBudget pdb) =>
    [
        .. MetadataValidation.Validate(pdb.Metadata, namespaced: true),
        .. Spec(pdb.Spec),
    ];

    public static ImmutableList<FieldError> ValidateUpdate(PodDisruptionBudget old, PodDisruptionBudget updated) =>
    [
        .. MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata),
        .. Spec(updated.Spec),
    ];

    private static IEnumerable<FieldError> Spec(PodDisruptionBudgetSpec spec)
    {
        if (spec.MinAvailable is not null && spec.MaxUnavailable is not null)
            yield return new FieldError("spec", "Invalid value", BothSet);
        foreach (var error in Budget(spec.MinAvailable, "spec.minAvailable"))
            yield return error;
        foreach (var error in Budget(spec.MaxUnavailable, "spec.maxUnavailable"))
            yield return error;
        if (spec.Selector is { } selector)
        {
            foreach (var error in WorkloadValidation.Selector(selector, "spec.selector"))
                yield return error;
        }
        if (spec.UnhealthyPodEvictionPolicy is { } policy && !UnhealthyPodEvictionPolicies.Contains(policy))
            yield return FieldError.Unsupported("spec.unhealthyPodEvictionPolicy", policy, UnhealthyPodEvictionPolicies);
    }

    private static IEnumerable<FieldError> Budget(IntOrString? value, string field)
    {
        if (value is not { } budget)
            yield break;
        foreach (var error in DeploymentValidation.IntOrPercent(budget, field))
            yield return error;
        if (RolloutLimits.TryPercent(budget.StringValue, out var percent) && percent > 100)
            yield return FieldError.Invalid(field, budget.StringValue, "must not be greater than 100%");
    }
}
