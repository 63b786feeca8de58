using System.Collections.Immutable;
using Granary.Grains.Autoscaling;
using Granary.Model;

namespace Granary.Tests.Unit.Autoscaling;

/// <summary>kube's behavior cases (horizontal_test.go: TestNormalizeDesiredReplicasWithBehavior, TestScalingWithRules).</summary>
public sealed class ScalingBehaviorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static HorizontalPodAutoscaler Hpa(int min = 1, int max = 100, HorizontalPodAutoscalerBehavior? behavior = null) =>
        HorizontalPodAutoscalerDefaults.Apply(new HorizontalPodAutoscaler
        {
            Metadata = new ObjectMeta { Name = "web", Namespace = "default" },
            Spec = new HorizontalPodAutoscalerSpec { MinReplicas = min, MaxReplicas = max, Behavior = behavior },
        });

    [Fact]
    public void ScaleUp_ByDefault_IsLimitedToDoubleOrFourMorePods()
    {
        var decision = ScalingBehavior.Decide(Hpa(), 3, 20, [], [], [], Now);

        Assert.Equal(new BehaviorDecision(7, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate", decision.Recommendations), decision);
    }

    [Fact]
    public void ScaleUp_CountsTheRescalesOfThePeriod()
    {
        // 4 pods were added 10 s ago, so the period began at 6: double that is 12, 6 + 4 is 10 → 12.
        var decision = ScalingBehavior.Decide(Hpa(), 10, 40, [], [new TimedReplicas(Now.AddSeconds(-10), 4)], [], Now);

        Assert.Equal(12, decision.Replicas);
    }

    [Fact]
    public void ScaleUp_PastMax_IsTooManyReplicas()
    {
        var decision = ScalingBehavior.Decide(Hpa(max: 5), 4, 6, [], [], [], Now);

        Assert.Equal((5, "TooManyReplicas"), (decision.Replicas, decision.LimitReason));
    }

    [Fact]
    public void ScaleDown_WithinTheDefaultWindow_IsStabilizedAtTheHighestRecommendation()
    {
        ImmutableList<TimedReplicas> history = [new(Now.AddSeconds(-200), 8), new(Now.AddSeconds(-100), 6)];

        var decision = ScalingBehavior.Decide(Hpa(), 10, 2, history, [], [], Now);

        Assert.Equal(8, decision.Replicas);
        Assert.Null(decision.LimitReason);
        Assert.Contains(new TimedReplicas(Now, 2), decision.Recommendations);
    }

    [Fact]
    public void ScaleDown_AfterTheWindow_GoesToTheRecommendation()
    {
        ImmutableList<TimedReplicas> history = [new(Now.AddSeconds(-301), 8)];

        var decision = ScalingBehavior.Decide(Hpa(), 10, 2, history, [], [], Now);

        Assert.Equal(2, decision.Replicas);
        Assert.DoesNotContain(history[0], decision.Recommendations);
    }

    [Fact]
    public void ScaleDown_BelowMin_IsTooFewReplicas()
    {
        var behavior = new HorizontalPodAutoscalerBehavior { ScaleDown = new HpaScalingRules { StabilizationWindowSeconds = 0 } };

        var decision = ScalingBehavior.Decide(Hpa(min: 3, behavior: behavior), 5, 1, [], [], [], Now);

        Assert.Equal((3, "TooFewReplicas"), (decision.Replicas, decision.LimitReason));
    }

    [Fact]
    public void ScaleDown_ByAPodsPolicy_IsLimited()
    {
        var behavior = new HorizontalPodAutoscalerBehavior
        {
            ScaleDown = new HpaScalingRules { StabilizationWindowSeconds = 0, Policies = [new HpaScalingPolicy { Type = HpaScalingPolicy.Pods, Value = 2, PeriodSeconds = 60 }] },
        };

        var decision = ScalingBehavior.Decide(Hpa(behavior: behavior), 10, 1, [], [], [new TimedReplicas(Now.AddSeconds(-30), 1)], Now);

        // One pod went 30 s ago: the period began at 11, so 9 is the least allowed.
        Assert.Equal((9, "ScaleDownLimit"), (decision.Replicas, decision.LimitReason));
    }

    [Fact]
    public void ScaleUp_Disabled_KeepsTheReplicas()
    {
        var behavior = new HorizontalPodAutoscalerBehavior { ScaleUp = new HpaScalingRules { SelectPolicy = HpaScalingRules.Disabled } };

        var decision = ScalingBehavior.Decide(Hpa(behavior: behavior), 3, 6, [], [], [], Now);

        Assert.Equal(3, decision.Replicas);
    }

    [Fact]
    public void ScaleUp_WithAStabilizationWindow_TakesTheLowestRecommendation()
    {
        var behavior = new HorizontalPodAutoscalerBehavior { ScaleUp = new HpaScalingRules { StabilizationWindowSeconds = 60 } };
        ImmutableList<TimedReplicas> history = [new(Now.AddSeconds(-30), 4)];

        var decision = ScalingBehavior.Decide(Hpa(behavior: behavior), 3, 6, history, [], [], Now);

        Assert.Equal(4, decision.Replicas);
    }
}
