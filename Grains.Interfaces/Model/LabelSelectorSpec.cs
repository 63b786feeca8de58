using System.Collections.Immutable;
using Granary.Selectors;

namespace Granary.Model;

/// <summary>
/// A label selector as objects write it (Kubernetes' metav1.LabelSelector): matchLabels and matchExpressions, all of
/// which must hold. Named apart from <see cref="LabelSelector"/>, the parsed string form it converts to.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.LabelSelectorSpec")]
public sealed record LabelSelectorSpec
{
    [Id(0)] public ImmutableSortedDictionary<string, string>? MatchLabels { get; init; }
    [Id(1)] public ImmutableList<LabelSelectorRequirementSpec>? MatchExpressions { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => MatchLabels is not { Count: > 0 } && MatchExpressions is not { Count: > 0 };

    /// <summary>
    /// The selector that matches as this one does, with requirements sorted by key as Kubernetes prints them
    /// (<c>app=web,tier in (a,b)</c>). Operators are assumed valid (validation checks them first).
    /// </summary>
    public LabelSelector ToSelector()
    {
        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in MatchLabels ?? ImmutableSortedDictionary<string, string>.Empty)
            requirements.Add(new LabelRequirement(key, SelectorOperator.Equals, [value]));
        foreach (var e in MatchExpressions ?? [])
        {
            var values = (e.Values ?? []).Order(StringComparer.Ordinal).ToImmutableArray();
            requirements.Add(e.Operator switch
            {
                "In" => new LabelRequirement(e.Key, SelectorOperator.In, values),
                "NotIn" => new LabelRequirement(e.Key, SelectorOperator.NotIn, values),
                "Exists" => new LabelRequirement(e.Key, SelectorOperator.Exists, []),
                _ => new LabelRequirement(e.Key, SelectorOperator.DoesNotExist, []),
            });
        }
        return new LabelSelector([.. requirements.OrderBy(r => r.Key, StringComparer.Ordinal)]);
    }

    /// <summary>The selector as kubectl prints it in wide tables and describe: "&lt;none&gt;" when empty.</summary>
    public static string Format(LabelSelectorSpec? selector) =>
        selector?.ToSelector().ToString() is { Length: > 0 } text ? text : "<none>";
}

[GenerateSerializer, Immutable, Alias("granary.LabelSelectorRequirementSpec")]
public sealed record LabelSelectorRequirementSpec
{
    [Id(0)] public string Key { get; init; } = "";

    /// <summary>In, NotIn, Exists or DoesNotExist.</summary>
    [Id(1)] public string Operator { get; init; } = "";

    [Id(2)] public ImmutableList<string>? Values { get; init; }
}
