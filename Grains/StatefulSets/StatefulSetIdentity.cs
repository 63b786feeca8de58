using System.Globalization;
using Granary.Model;

namespace Granary.Grains.StatefulSets;

/// <summary>
/// The stable identity of a StatefulSet's pods and claims, as kube's stateful_set_utils: pods "&lt;set&gt;-&lt;ordinal&gt;",
/// claims "&lt;template&gt;-&lt;set&gt;-&lt;ordinal&gt;", and the labels that name a pod and its index.
/// </summary>
public static class StatefulSetIdentity
{
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";

    public static string PodName(string setName, int ordinal) => string.Create(CultureInfo.InvariantCulture, $"{setName}-{ordinal}");

    public static string ClaimName(string templateName, string setName, int ordinal) =>
        string.Create(CultureInfo.InvariantCulture, $"{templateName}-{setName}-{ordinal}");

    /// <summary>The first ordinal (spec.ordinals.start, 0 when unset).</summary>
    public static int StartOrdinal(StatefulSet set) => set.Spec.Ordinals?.Start ?? 0;

    /// <summary>Whether an ordinal is one the set wants now: start ≤ ordinal &lt; start + replicas.</summary>
    public static bool InRange(StatefulSet set, int ordinal) =>
        ordinal >= StartOrdinal(set) && ordinal < StartOrdinal(set) + (set.Spec.Replicas ?? 1);

    /// <summary>
    /// The ordinal of a pod of this set: its name is "&lt;set&gt;-&lt;digits&gt;" (kube's getParentNameAndOrdinal);
    /// null for any other name.
    /// </summary>
    public static int? Ordinal(string setName, string? podName)
    {
        if (podName is null || podName.Length <= setName.Length + 1 || !podName.StartsWith(setName, StringComparison.Ordinal) || podName[setName.Length] != '-')
            return null;
        var digits = podName.AsSpan(setName.Length + 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
                return null;
        }
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : null;
    }
}
