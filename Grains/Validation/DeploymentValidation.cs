using System.Collections.Immutable;
using Granary.Errors;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' Deployment rules (apps/v1): those of a ReplicaSet, plus the strategy and the rollout's numbers.</summary>
public static class DeploymentValidation
{
    public const string PercentSyntax = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')";
    public static readonly ImmutableArray<string> StrategyTypes = [DeploymentStrategy.RecreateType, DeploymentStrategy.RollingUpdateType];

    public static ImmutableList<FieldError> Validate(Deployment d) =>
    [
        .. MetadataValidation.Validate(d.Metadata, namespaced: true),
        .. WorkloadValidation.Replicas(d.Spec.Replicas, d.Spec.MinReadySeconds),
        .. WorkloadValidation.SelectorAndTemplate(d.Spec.Selector, d.Spec.Template),
        .. Strategy(d.Spec.Strategy),
        .. NumberValidation.NonNegative(d.Spec.RevisionHistoryLimit, "spec.revisionHistoryLimit"),
        .. ProgressDeadline(d.Spec),
    ];

    public static ImmutableList<FieldError> ValidateUpdate(Deployment old, Deployment updated) =>
    [
        .. MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata),
        .. Validate(updated),
        .. WorkloadValidation.SelectorUnchanged(old.Spec.Selector, updated.Spec.Selector),
    ];

    private static IEnumerable<FieldError> Strategy(DeploymentStrategy? strategy)
    {
        switch (strategy?.Type)
        {
            case null or "":
                break;
            case DeploymentStrategy.RecreateType when strategy.RollingUpdate is not null:
                yield return FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
                break;
            case DeploymentStrategy.RecreateType:
                break;
            case DeploymentStrategy.RollingUpdateType:
                foreach (var error in RollingUpdate(strategy.RollingUpdate ?? new RollingUpdateDeployment()))
                    yield return error;
                break;
            default:
                yield return FieldError.Unsupported("spec.strategy.type", strategy.Type, StrategyTypes);
                break;
        }
    }

    private static IEnumerable<FieldError> RollingUpdate(RollingUpdateDeployment update)
    {
        const string at = "spec.strategy.rollingUpdate";
        var unavailable = update.MaxUnavailable ?? RolloutLimits.DefaultMaxUnavailable;
        var surge = update.MaxSurge ?? RolloutLimits.DefaultMaxSurge;
        foreach (var error in IntOrPercent(unavailable, $"{at}.maxUnavailable"))
            yield return error;
        foreach (var error in IntOrPercent(surge, $"{at}.maxSurge"))
            yield return error;
        if (Value(unavailable) == 0 && Value(surge) == 0)
            yield return new FieldError($"{at}.maxUnavailable", "Invalid value", $"{Show(unavailable)}: may not be 0 when `maxSurge` is 0");
        if (unavailable.StringValue is { } text && RolloutLimits.TryPercent(text, out var percent) && percent > 100)
            yield return FieldError.Invalid($"{at}.maxUnavailable", text, "must not be greater than 100%");
    }

    internal static IEnumerable<FieldError> IntOrPercent(IntOrString value, string field)
    {
        if (value.IntValue is { } count)
        {
            foreach (var error in NumberValidation.NonNegative(count, field))
                yield return error;
        }
        else if (!RolloutLimits.TryPercent(value.StringValue, out _))
        {
            yield return FieldError.Invalid(field, value.StringValue ?? "", PercentSyntax);
        }
    }

    private static IEnumerable<FieldError> ProgressDeadline(DeploymentSpec spec)
    {
        if (spec.ProgressDeadlineSeconds is not { } deadline)
            yield break;
        foreach (var error in NumberValidation.NonNegative(deadline, "spec.progressDeadlineSeconds"))
            yield return error;
        if (deadline <= (spec.MinReadySeconds ?? 0))
            yield return NumberValidation.Invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds");
    }

    private static int Value(IntOrString value) =>
        value.IntValue ?? (RolloutLimits.TryPercent(value.StringValue, out var percent) ? percent : -1);

    private static string Show(IntOrString value) => value.IntValue is { } i ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"\"{value.StringValue}\"";
}
