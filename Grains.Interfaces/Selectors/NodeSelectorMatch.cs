using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Selectors;

/// <summary>
/// Whether a node matches a core v1 NodeSelector, as kube's nodeaffinity helper decides: any term may match; within a
/// term every label expression and every field requirement (only <c>metadata.name</c>) must hold; an empty term
/// matches nothing.
/// </summary>
public static class NodeSelectorMatch
{
    public static bool Matches(NodeSelector selector, string nodeName, IReadOnlyDictionary<string, string> labels) =>
        selector.NodeSelectorTerms.Any(t => Matches(t, nodeName, labels));

    /// <summary>The node a volume's affinity pins it to by hostname (as provisioners write it), or null.</summary>
    public static string? PinnedNode(VolumeNodeAffinity? affinity) =>
        affinity?.Required?.NodeSelectorTerms is [{ MatchExpressions: [{ Key: LocalPath.HostnameLabel, Operator: "In", Values: [var node] }] }]
            ? node
            : null;

    /// <summary>Whether one term matches (a preferred scheduling term is scored this way).</summary>
    public static bool Matches(NodeSelectorTerm term, string nodeName, IReadOnlyDictionary<string, string> labels)
    {
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (expressions.Count == 0 && fields.Count == 0)
            return false;
        return expressions.All(e => Holds(e, labels.TryGetValue(e.Key, out var v) ? v : null))
            && fields.All(f => f.Key == "metadata.name" && Holds(f, nodeName));
    }

    private static bool Holds(NodeSelectorRequirement r, string? value)
    {
        var values = r.Values ?? ImmutableList<string>.Empty;
        return r.Operator switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => Compare(value, values) is > 0,
            "Lt" => Compare(value, values) is < 0,
            _ => false,
        };
    }

    private static int? Compare(string? value, ImmutableList<string> values) =>
        value is not null && values is [var bound]
        && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
        && long.TryParse(bound, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b)
            ? a.CompareTo(b)
            : null;
}
