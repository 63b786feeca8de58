using Granary.Model;

namespace Granary.Grains.Scheduling;

/// <summary>Kubernetes toleration matching (core/v1 Toleration.ToleratesTaint).</summary>
public static class TaintToleration
{
    public const string NoSchedule = "NoSchedule";
    public const string PreferNoSchedule = "PreferNoSchedule";
    public const string NoExecute = "NoExecute";

    /// <summary>Whether the taint keeps pods that do not tolerate it off the node; PreferNoSchedule only steers scoring.</summary>
    public static bool Filters(Taint taint) => taint.Effect is NoSchedule or NoExecute;

    /// <summary>
    /// An empty effect matches every effect and an empty key every key; Exists ignores the value,
    /// Equal (or no operator) compares it; an unknown operator tolerates nothing.
    /// </summary>
    public static bool Tolerates(Toleration toleration, Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect)
            return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key)
            return false;
        return toleration.Operator switch
        {
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            "Exists" => true,
            _ => false,
        };
    }

    public static bool IsTolerated(Taint taint, ReadOnlySpan<Toleration> tolerations)
    {
        foreach (var toleration in tolerations)
        {
            if (Tolerates(toleration, taint))
                return true;
        }
        return false;
    }

    /// <summary>kube's TaintToleration score before normalizing: how many PreferNoSchedule taints the pod does not tolerate.</summary>
    public static long IntolerablePreferNoSchedule(NodeSnapshot node, ReadOnlySpan<Toleration> tolerations)
    {
        long count = 0;
        foreach (var taint in node.PreferNoScheduleTaints)
        {
            if (!IsTolerated(taint, tolerations))
                count++;
        }
        return count;
    }
}
