using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Autoscaling;

/// <summary>A recommendation or a rescale the behavior remembers: when, and the replicas (or the change).</summary>
public sealed record TimedReplicas(DateTimeOffset At, int Replicas);

/// <summary>The outcome of applying the behavior: the replicas to set and why they are limited, if they are.</summary>
public sealed record BehaviorDecision(int Replicas, string? LimitReason, string? LimitMessage, ImmutableList<TimedReplicas> Recommendations);

/// <summary>
/// kube's normalizeDesiredReplicasWithBehaviors: first the stabilization windows (scale up to no more than the lowest
/// recommendation of the up-window, down to no less than the highest of the down-window), then the rate policies
/// (the most, or least, change any policy allows over its period, counting the rescales made in it), then the bounds.
/// </summary>
public static class ScalingBehavior
{
    public static BehaviorDecision Decide(HorizontalPodAutoscaler hpa, int current, int proposed, ImmutableList<TimedReplicas> recommendations,
        IReadOnlyList<TimedReplicas> scaleUpEvents, IReadOnlyList<TimedReplicas> scaleDownEvents, DateTimeOffset now)
    {
        var behavior = hpa.Spec.Behavior ?? HorizontalPodAutoscalerDefaults.Behavior;
        var up = behavior.ScaleUp ?? HorizontalPodAutoscalerDefaults.ScaleUp;
        var down = behavior.ScaleDown ?? HorizontalPodAutoscalerDefaults.ScaleDown;
        var min = hpa.Spec.MinReplicas ?? 1;
        var max = hpa.Spec.MaxReplicas;

        var upCutoff = now - TimeSpan.FromSeconds(up.StabilizationWindowSeconds ?? 0);
        var downCutoff = now - TimeSpan.FromSeconds(down.StabilizationWindowSeconds ?? 300);
        int upRecommendation = proposed, downRecommendation = proposed;
        foreach (var r in recommendations)
        {
            if (r.At > upCutoff)
                upRecommendation = Math.Min(r.Replicas, upRecommendation);
            if (r.At > downCutoff)
                downRecommendation = Math.Max(r.Replicas, downRecommendation);
        }
        var stabilized = Math.Min(Math.Max(current, upRecommendation), downRecommendation);
        var longest = TimeSpan.FromSeconds(Math.Max(up.StabilizationWindowSeconds ?? 0, down.StabilizationWindowSeconds ?? 300));
        var kept = recommendations.RemoveAll(r => r.At <= now - longest).Add(new TimedReplicas(now, proposed));

        if (stabilized > current)
        {
            var limit = Math.Max(current, ScaleUpLimit(current, scaleUpEvents, up, now));
            if (stabilized > limit && limit < max)
                return new(limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate", kept);
            if (stabilized > max)
                return new(max, "TooManyReplicas", "the desired replica count is more than the maximum replica count", kept);
        }
        else if (stabilized < current)
        {
            var limit = Math.Min(current, ScaleDownLimit(current, scaleDownEvents, down, now));
            if (stabilized < limit && limit > min)
                return new(limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate", kept);
            if (stabilized < min)
                return new(min, "TooFewReplicas", "the desired replica count is less than the minimum replica count", kept);
        }
        return new(stabilized, null, null, kept);
    }

    /// <summary>The most replicas the scale-up policies allow now (kube's calculateScaleUpLimitWithScalingRules).</summary>
    public static int ScaleUpLimit(int current, IReadOnlyList<TimedReplicas> events, HpaScalingRules rules, DateTimeOffset now)
    {
        if (rules.SelectPolicy == HpaScalingRules.Disabled)
            return current;
        var most = rules.SelectPolicy != HpaScalingRules.MinChange;
        var result = most ? int.MinValue : int.MaxValue;
        foreach (var policy in rules.Policies ?? [])
        {
            var start = current - ChangeWithin(events, policy.PeriodSeconds, now);
            var proposed = policy.Type == HpaScalingPolicy.Pods ? start + policy.Value : (int)Math.Ceiling(start * (1 + policy.Value / 100.0));
            result = most ? Math.Max(result, proposed) : Math.Min(result, proposed);
        }
        return result;
    }

    /// <summary>The fewest replicas the scale-down policies allow now (kube's calculateScaleDownLimitWithBehaviors).</summary>
    public static int ScaleDownLimit(int current, IReadOnlyList<TimedReplicas> events, HpaScalingRules rules, DateTimeOffset now)
    {
        if (rules.SelectPolicy == HpaScalingRules.Disabled)
            return current;
        var most = rules.SelectPolicy != HpaScalingRules.MinChange;
        var result = most ? int.MaxValue : int.MinValue;
        foreach (var policy in rules.Policies ?? [])
        {
            var start = current + ChangeWithin(events, policy.PeriodSeconds, now);
            var proposed = policy.Type == HpaScalingPolicy.Pods ? start - policy.Value : (int)(start * (1 - policy.Value / 100.0));
            result = most ? Math.Min(result, proposed) : Math.Max(result, proposed);
        }
        return result;
    }

    private static int ChangeWithin(IReadOnlyList<TimedReplicas> events, int periodSeconds, DateTimeOffset now) =>
        events.Where(e => e.At > now - TimeSpan.FromSeconds(periodSeconds)).Sum(e => e.Replicas);
}
