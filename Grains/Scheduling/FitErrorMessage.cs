using System.Globalization;

namespace Granary.Grains.Scheduling;

/// <summary>Words why a pod fits no node, exactly as kube-scheduler's FitError does.</summary>
public static class FitErrorMessage
{
    public const string NoNodes = "no nodes available to schedule pods";

    /// <summary>
    /// <c>0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.</c>
    /// As kube-scheduler does, the "count reason" entries are sorted as whole strings, ordinal.
    /// </summary>
    public static string Format(int nodeCount, IReadOnlyDictionary<string, int> reasonCounts)
    {
        if (nodeCount == 0)
            return NoNodes;
        var entries = reasonCounts.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}"))
            .Order(StringComparer.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"0/{nodeCount} nodes are available: {string.Join(", ", entries)}.");
    }

    /// <summary>
    /// A pod a PreFilter turned away before any node was tried (e.g. its claim is missing):
    /// <c>0/3 nodes are available: persistentvolumeclaim "data" not found.</c>
    /// </summary>
    public static string PreFilter(int nodeCount, string message) =>
        nodeCount == 0 ? NoNodes : string.Create(CultureInfo.InvariantCulture, $"0/{nodeCount} nodes are available: {message}.");
}
