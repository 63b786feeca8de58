using System.Collections.Immutable;
using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.Scheduling;

/// <summary>
/// kube-scheduler's framework.AffinityTerm: which pods a term selects (namespaces resolved, selectors parsed) and the
/// topology key it groups them by. A null selector matches nothing, as kube's LabelSelectorAsSelector(nil) does; an
/// empty one matches everything.
/// </summary>
public sealed class AffinityTerm
{
    private AffinityTerm(ImmutableSortedSet<string> namespaces, LabelSelector? namespaceSelector, LabelSelector? selector, string topologyKey)
    {
        Namespaces = namespaces;
        NamespaceSelector = namespaceSelector;
        Selector = selector;
        TopologyKey = topologyKey;
        SelectionKey = $"{string.Join(',', namespaces)}|{Describe(namespaceSelector)}|{Describe(selector)}";
    }

    public ImmutableSortedSet<string> Namespaces { get; }

    public LabelSelector? NamespaceSelector { get; }

    public LabelSelector? Selector { get; }

    public string TopologyKey { get; }

    /// <summary>Equal for terms that select the same pods, whatever their topology key: the key of their counts.</summary>
    public string SelectionKey { get; }

    /// <summary>
    /// A term of <paramref name="owner"/>: without namespaces and namespaceSelector it means the owner's namespace;
    /// matchLabelKeys and mismatchLabelKeys add <c>key in (owner's value)</c> and <c>key notin (owner's value)</c>
    /// to its selector, as kube-apiserver merges them at creation (a key the owner lacks is ignored).
    /// </summary>
    public static AffinityTerm Of(Pod owner, PodAffinityTerm term)
    {
        var ns = owner.Metadata.Namespace ?? "";
        var namespaces = term.Namespaces is not { Count: > 0 } && term.NamespaceSelector is null
            ? [ns]
            : (term.Namespaces ?? []).ToImmutableSortedSet(StringComparer.Ordinal);
        var selector = term.LabelSelector?.ToSelector();
        if (selector is not null)
        {
            var labels = owner.Metadata.Labels;
            selector = WithLabelKeys(selector, labels, term.MatchLabelKeys, SelectorOperator.In);
            selector = WithLabelKeys(selector, labels, term.MismatchLabelKeys, SelectorOperator.NotIn);
        }
        return new(namespaces, term.NamespaceSelector?.ToSelector(), selector, term.TopologyKey);
    }

    /// <summary>The pods of one namespace that a selector picks: how a topology spread constraint counts.</summary>
    public static AffinityTerm InNamespace(string @namespace, LabelSelector? selector, string topologyKey) =>
        new([@namespace], null, selector, topologyKey);

    /// <summary>Whether the term selects a pod of <paramref name="namespace"/> with these labels (kube's AffinityTerm.Matches).</summary>
    public bool Matches(string @namespace, IReadOnlyDictionary<string, string>? labels, IReadOnlyDictionary<string, string>? namespaceLabels) =>
        SelectsNamespace(@namespace, namespaceLabels) && Selector is not null && Selector.Matches(labels);

    public bool SelectsNamespace(string @namespace, IReadOnlyDictionary<string, string>? namespaceLabels) =>
        Namespaces.Contains(@namespace) || (NamespaceSelector is not null && NamespaceSelector.Matches(namespaceLabels));

    public bool Matches(Pod pod, IReadOnlyDictionary<string, string>? namespaceLabels) =>
        Matches(pod.Metadata.Namespace ?? "", pod.Metadata.Labels, namespaceLabels);

    /// <summary>Adds <c>key op (value)</c> for each key the labels carry; requirements stay sorted by key, as kube prints them.</summary>
    public static LabelSelector WithLabelKeys(
        LabelSelector selector, IReadOnlyDictionary<string, string>? labels, IReadOnlyList<string>? keys, SelectorOperator op)
    {
        if (keys is not { Count: > 0 } || labels is null)
            return selector;
        var added = keys.Where(labels.ContainsKey).Distinct(StringComparer.Ordinal)
            .Select(k => new LabelRequirement(k, op, [labels[k]])).ToList();
        return added.Count == 0
            ? selector
            : new LabelSelector([.. (selector.IsEmpty ? [] : selector.Requirements).Concat(added).OrderBy(r => r.Key, StringComparer.Ordinal)]);
    }

    private static string Describe(LabelSelector? selector) => selector is null ? "<nothing>" : $"<{selector}>";
}
