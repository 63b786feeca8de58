using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Autoscaling;

/// <summary>
/// kube's defaults for autoscaling/v2 (SetDefaults_HorizontalPodAutoscaler): minReplicas 1, an 80 % CPU utilization
/// metric when none is given, and the behavior's rules filled in where unset: up by 100 % or 4 pods per 15 s (the more)
/// with no stabilization, down by 100 % per 15 s after a 300 s stabilization window.
/// </summary>
public static class HorizontalPodAutoscalerDefaults
{
    public const int DefaultCpuUtilization = 80;

    public static readonly HpaScalingRules ScaleUp = new()
    {
        StabilizationWindowSeconds = 0,
        SelectPolicy = HpaScalingRules.MaxChange,
        Policies = [new HpaScalingPolicy { Type = HpaScalingPolicy.Pods, Value = 4, PeriodSeconds = 15 }, new HpaScalingPolicy { Type = HpaScalingPolicy.Percent, Value = 100, PeriodSeconds = 15 }],
    };

    public static readonly HpaScalingRules ScaleDown = new()
    {
        StabilizationWindowSeconds = 300,
        SelectPolicy = HpaScalingRules.MaxChange,
        Policies = [new HpaScalingPolicy { Type = HpaScalingPolicy.Percent, Value = 100, PeriodSeconds = 15 }],
    };

    public static readonly HorizontalPodAutoscalerBehavior Behavior = new() { ScaleUp = ScaleUp, ScaleDown = ScaleDown };

    public static HorizontalPodAutoscaler Apply(HorizontalPodAutoscaler hpa)
    {
        var spec = hpa.Spec;
        var metrics = spec.Metrics is { Count: > 0 } given ? given : ImmutableList.Create(new MetricSpec
        {
            Type = MetricSpec.ResourceType,
            Resource = new ResourceMetricSource { Name = "cpu", Target = new MetricTarget { Type = MetricTarget.UtilizationType, AverageUtilization = DefaultCpuUtilization } },
        });
        var behavior = spec.Behavior ?? new HorizontalPodAutoscalerBehavior();
        return hpa with
        {
            Spec = spec with
            {
                MinReplicas = spec.MinReplicas ?? 1,
                Metrics = metrics,
                Behavior = behavior with { ScaleUp = Fill(behavior.ScaleUp, ScaleUp), ScaleDown = Fill(behavior.ScaleDown, ScaleDown) },
            },
        };
    }

    private static HpaScalingRules Fill(HpaScalingRules? given, HpaScalingRules defaults) => given is null ? defaults : given with
    {
        StabilizationWindowSeconds = given.StabilizationWindowSeconds ?? defaults.StabilizationWindowSeconds,
        SelectPolicy = given.SelectPolicy ?? defaults.SelectPolicy,
        Policies = given.Policies is { Count: > 0 } ? given.Policies : defaults.Policies,
    };
}
