using System.Collections.Immutable;
using System.Globalization;
using Granary.Errors;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' DaemonSet rules (ValidateDaemonSetSpec, ValidateDaemonSetUpdateStrategy, ValidateRollingUpdateDaemonSet):
/// those of a ReplicaSet's selector and template, an update strategy with exactly one of maxUnavailable and maxSurge
/// above zero, and a selector that never changes.
/// </summary>
public static class DaemonSetValidation
{
    public const string EmptySelector = "empty selector is invalid for daemonset";
    public static readonly ImmutableArray<string> StrategyTypes = [DaemonSetUpdateStrategy.RollingUpdateType, DaemonSetUpdateStrategy.OnDeleteType];

    public static ImmutableList<FieldError> Validate(DaemonSet ds) =>
    [
        .. MetadataValidation.Validate(ds.Metadata, namespaced: true),
        .. SelectorAndTemplate(ds.Spec),
        .. NumberValidation.NonNegative(ds.Spec.MinReadySeconds, "spec.minReadySeconds"),
        .. Strategy(ds.Spec.UpdateStrategy),
        .. NumberValidation.NonNegative(ds.Spec.RevisionHistoryLimit, "spec.revisionHistoryLimit"),
    ];

    public static ImmutableList<FieldError> ValidateUpdate(DaemonSet old, DaemonSet updated) =>
    [
        .. MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata),
        .. Validate(updated),
        .. WorkloadValidation.SelectorUnchanged(old.Spec.Selector, updated.Spec.Selector),
    ];

    /// <summary>The ReplicaSet rules, worded for a DaemonSet where kube words them so (they say "deployment" and "ReplicaSet").</summary>
    private static IEnumerable<FieldError> SelectorAndTemplate(DaemonSetSpec spec) =>
        WorkloadValidation.SelectorAndTemplate(spec.Selector, spec.Template).Select(e => e.Field switch
        {
            "spec.selector" when e.Detail.EndsWith(WorkloadValidation.EmptySelector, StringComparison.Ordinal) =>
                e with { Detail = e.Detail[..^WorkloadValidation.EmptySelector.Length] + EmptySelector },
            "spec.template.spec.activeDeadlineSeconds" => e with { Detail = e.Detail.Replace("in ReplicaSet", "in DaemonSet", StringComparison.Ordinal) },
            _ => e,
        });

    private static IEnumerable<FieldError> Strategy(DaemonSetUpdateStrategy? strategy)
    {
        switch (strategy?.Type)
        {
            case null or "" or DaemonSetUpdateStrategy.OnDeleteType:
                break;
            case DaemonSetUpdateStrategy.RollingUpdateType when strategy.RollingUpdate is null:
                yield return FieldError.Required("spec.updateStrategy.rollingUpdate");
                break;
            case DaemonSetUpdateStrategy.RollingUpdateType:
                foreach (var error in RollingUpdate(strategy.RollingUpdate))
                    yield return error;
                break;
            default:
                yield return FieldError.Unsupported("spec.updateStrategy", strategy.Type, StrategyTypes);
                break;
        }
    }

    private static IEnumerable<FieldError> RollingUpdate(RollingUpdateDaemonSet update)
    {
        const string at = "spec.updateStrategy.rollingUpdate";
        var unavailable = update.MaxUnavailable ?? DaemonSetDefaults.MaxUnavailable;
        var surge = update.MaxSurge ?? DaemonSetDefaults.MaxSurge;
        var errors = new List<FieldError>();
        errors.AddRange(IntOrPercent(unavailable, $"{at}.maxUnavailable"));
        errors.AddRange(IntOrPercent(surge, $"{at}.maxSurge"));
        foreach (var error in errors)
            yield return error;
        var hasUnavailable = Value(unavailable) != 0;
        var hasSurge = Value(surge) != 0;
        if (hasUnavailable && hasSurge)
            yield return new FieldError($"{at}.maxSurge", "Invalid value", $"{Show(surge)}: may not be set when maxUnavailable is non-zero");
        else if (!hasUnavailable && !hasSurge)
            yield return FieldError.Required($"{at}.maxUnavailable") with { Detail = "cannot be 0 when maxSurge is 0" };
    }

    /// <summary>kube's ValidatePositiveIntOrPercent and IsNotMoreThan100Percent.</summary>
    private static IEnumerable<FieldError> IntOrPercent(IntOrString value, string field)
    {
        if (value.IntValue is { } count)
        {
            foreach (var error in NumberValidation.NonNegative(count, field))
                yield return error;
        }
        else if (!RolloutLimits.TryPercent(value.StringValue, out var percent))
        {
            yield return FieldError.Invalid(field, value.StringValue ?? "", DeploymentValidation.PercentSyntax);
        }
        else if (percent > 100)
        {
            yield return FieldError.Invalid(field, value.StringValue, "must not be greater than 100%");
        }
    }

    private static int Value(IntOrString value) =>
        value.IntValue ?? (RolloutLimits.TryPercent(value.StringValue, out var percent) ? percent : -1);

    private static string Show(IntOrString value) => value.IntValue is { } i ? i.ToString(CultureInfo.InvariantCulture) : $"\"{value.StringValue}\"";
}
