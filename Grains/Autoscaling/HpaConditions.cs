using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Autoscaling;

/// <summary>The HPA's condition types and kube's way of setting one: the transition time moves only when the status does.</summary>
public static class HpaConditions
{
    public const string AbleToScale = "AbleToScale";
    public const string ScalingActive = "ScalingActive";
    public const string ScalingLimited = "ScalingLimited";

    public static ImmutableList<Condition> Set(ImmutableList<Condition> conditions, string type, bool status, string reason, string message, DateTimeOffset now)
    {
        var text = status ? "True" : "False";
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        var updated = new Condition
        {
            Type = type,
            Status = text,
            Reason = reason,
            Message = message,
            LastTransitionTime = existing is not null && existing.Status == text ? existing.LastTransitionTime : now,
        };
        return existing is null ? conditions.Add(updated) : conditions.Replace(existing, updated);
    }
}
