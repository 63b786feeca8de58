using System.Collections.Immutable;
using Granary.Errors;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Grains.Autoscaling;

/// <summary>
/// kube's autoscaling/v2 rules (ValidateHorizontalPodAutoscaler), every problem at once with its field path, on the
/// defaulted object. Of the metric types only Resource (cpu, memory) is served: the others name what is supported.
/// </summary>
public static class HorizontalPodAutoscalerValidation
{
    public static readonly ImmutableArray<string> MetricTypes = [MetricSpec.ResourceType];
    public static readonly ImmutableArray<string> Resources = ["cpu", "memory"];
    public static readonly ImmutableArray<string> TargetTypes = [MetricTarget.UtilizationType, MetricTarget.AverageValueType];
    public static readonly ImmutableArray<string> SelectPolicies = [HpaScalingRules.MaxChange, HpaScalingRules.MinChange, HpaScalingRules.Disabled];
    public static readonly ImmutableArray<string> PolicyTypes = [HpaScalingPolicy.Pods, HpaScalingPolicy.Percent];

    public static ImmutableList<FieldError> Validate(HorizontalPodAutoscaler hpa) =>
    [
        .. MetadataValidation.Validate(hpa.Metadata, namespaced: true),
        .. Spec(hpa.Spec),
    ];

    public static ImmutableList<FieldError> ValidateUpdate(HorizontalPodAutoscaler old, HorizontalPodAutoscaler updated) =>
    [
        .. MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata),
        .. Validate(updated),
    ];

    private static IEnumerable<FieldError> Spec(HorizontalPodAutoscalerSpec spec)
    {
        if (spec.MinReplicas is < 1)
            yield return Number("spec.minReplicas", spec.MinReplicas, "must be greater than or equal to 1");
        if (spec.MaxReplicas < 1)
            yield return Number("spec.maxReplicas", spec.MaxReplicas, "must be greater than 0");
        else if (spec.MinReplicas is { } min && spec.MaxReplicas < min)
            yield return Number("spec.maxReplicas", spec.MaxReplicas, "must be greater than or equal to `minReplicas`");
        var target = spec.ScaleTargetRef;
        if (string.IsNullOrEmpty(target.Kind))
            yield return FieldError.Required("spec.scaleTargetRef.kind");
        if (string.IsNullOrEmpty(target.Name))
            yield return FieldError.Required("spec.scaleTargetRef.name");
        else if (target.Name.Contains('/') || target.Name is "." or "..")
            yield return FieldError.Invalid("spec.scaleTargetRef.name", target.Name, "may not contain '/' and may not be '.' or '..'");
        var metrics = spec.Metrics ?? [];
        for (var i = 0; i < metrics.Count; i++)
        {
            foreach (var e in Metric(metrics[i], $"spec.metrics[{i}]"))
                yield return e;
        }
        if (spec.Behavior is { } behavior)
        {
            foreach (var e in Rules(behavior.ScaleUp, "spec.behavior.scaleUp").Concat(Rules(behavior.ScaleDown, "spec.behavior.scaleDown")))
                yield return e;
        }
    }

    private static IEnumerable<FieldError> Metric(MetricSpec metric, string path)
    {
        if (string.IsNullOrEmpty(metric.Type))
        {
            yield return FieldError.Required(path + ".type");
            yield break;
        }
        if (!MetricTypes.Contains(metric.Type))
        {
            yield return FieldError.Unsupported(path + ".type", metric.Type, MetricTypes);
            yield break;
        }
        if (metric.Resource is not { } resource)
        {
            yield return FieldError.Required(path + ".resource");
            yield break;
        }
        if (string.IsNullOrEmpty(resource.Name))
            yield return FieldError.Required(path + ".resource.name");
        else if (!Resources.Contains(resource.Name))
            yield return FieldError.Unsupported(path + ".resource.name", resource.Name, Resources);
        var target = resource.Target;
        if (string.IsNullOrEmpty(target.Type))
            yield return FieldError.Required(path + ".resource.target.type");
        else if (!TargetTypes.Contains(target.Type))
            yield return FieldError.Unsupported(path + ".resource.target.type", target.Type, TargetTypes);
        else if (target.Type == MetricTarget.UtilizationType && target.AverageUtilization is not > 0)
            yield return target.AverageUtilization is { } u ? Number(path + ".resource.target.averageUtilization", u, "must be greater than 0")
                : FieldError.Required(path + ".resource.target.averageUtilization");
        else if (target.Type == MetricTarget.AverageValueType && target.AverageValue is not { Amount: > 0 })
            yield return target.AverageValue is { } v ? FieldError.Invalid(path + ".resource.target.averageValue", v.Text, "must be positive")
                : FieldError.Required(path + ".resource.target.averageValue");
    }

    /// <summary>A number is shown bare, as kube shows it ("Invalid value: 0: must be …").</summary>
    private static FieldError Number(string field, int? value, string detail) => new(field, "Invalid value", $"{value}: {detail}");

    private static IEnumerable<FieldError> Rules(HpaScalingRules? rules, string path)
    {
        if (rules is null)
            yield break;
        if (rules.StabilizationWindowSeconds is < 0 or > 3600)
            yield return Number(path + ".stabilizationWindowSeconds", rules.StabilizationWindowSeconds, "must be less than or equal to 3600 and greater than or equal to 0");
        if (rules.SelectPolicy is { } select && !SelectPolicies.Contains(select))
            yield return FieldError.Unsupported(path + ".selectPolicy", select, SelectPolicies);
        var policies = rules.Policies ?? [];
        if (policies.Count == 0)
            yield return FieldError.Required(path + ".policies");
        for (var i = 0; i < policies.Count; i++)
        {
            var p = policies[i];
            var at = $"{path}.policies[{i}]";
            if (!PolicyTypes.Contains(p.Type))
                yield return FieldError.Unsupported(at + ".type", p.Type, PolicyTypes);
            if (p.Value <= 0)
                yield return Number(at + ".value", p.Value, "must be greater than zero");
            if (p.PeriodSeconds is <= 0 or > 1800)
                yield return Number(at + ".periodSeconds", p.PeriodSeconds, "must be greater than zero and less than or equal to 1800");
        }
    }
}
