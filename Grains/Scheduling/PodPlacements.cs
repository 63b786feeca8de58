using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Scheduling;

/// <summary>
/// The pods on the pass's nodes (bound, assumed, and placed earlier in this pass), indexed for the topology plugins
/// (pod affinity and topology spread): the pods per namespace; per-node counts of the pods a selection picks, built on
/// first use and then kept current as the pass places pods; and the inter-pod affinity terms of the placed pods,
/// grouped by what they select, with how many pods hold each group in each topology domain. So a decision costs one
/// selector check per cached selection and group, never a rescan of every pod.
/// </summary>
public sealed class PodPlacements
{
    private readonly NodeSnapshot[] _nodes;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> _namespaceLabels;
    private readonly Dictionary<string, List<Placed>> _byNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Selection> _selections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PlacedTerms> _terms = new(StringComparer.Ordinal);

    private PodPlacements(NodeSnapshot[] nodes, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        _nodes = nodes;
        _namespaceLabels = namespaceLabels;
    }

    /// <summary>The affinity terms of the placed pods, grouped; few, as the pods of one workload share their terms.</summary>
    public IEnumerable<PlacedTerms> Terms => _terms.Values;

    /// <summary>Places the bound pods that are not finished on the nodes of <paramref name="nodes"/> (by name).</summary>
    public static PodPlacements Build(
        NodeSnapshot[] nodes, IEnumerable<Pod> boundPods, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        var placements = new PodPlacements(nodes, namespaceLabels);
        var index = new Dictionary<string, int>(nodes.Length, StringComparer.Ordinal);
        for (var i = 0; i < nodes.Length; i++)
            index[nodes[i].Name] = i;
        foreach (var pod in boundPods)
        {
            if (pod.Spec.NodeName is { } name && !NodeSnapshot.IsTerminal(pod) && index.TryGetValue(name, out var i))
                placements.Add(pod, i);
        }
        return placements;
    }

    public IReadOnlyDictionary<string, string>? NamespaceLabels(string @namespace) => _namespaceLabels.GetValueOrDefault(@namespace);

    /// <summary>Places a pod on the node at <paramref name="nodeIndex"/>: counted in every selection that picks it.</summary>
    public void Add(Pod pod, int nodeIndex)
    {
        var placed = new Placed(pod.Metadata.Namespace ?? "", pod.Metadata.Labels, pod.Metadata.DeletionTimestamp is not null, nodeIndex);
        if (!_byNamespace.TryGetValue(placed.Namespace, out var pods))
            _byNamespace[placed.Namespace] = pods = [];
        pods.Add(placed);
        foreach (var selection in _selections.Values)
        {
            if (selection.Picks(placed, this))
                selection.PerNode[nodeIndex]++;
        }
        var terms = PodAffinityTerms.Of(pod);
        if (terms.IsEmpty)
            return;
        foreach (var term in terms.RequiredAffinity)
            AddTerm(TermKind.RequiredAffinity, 0, term, nodeIndex);
        foreach (var term in terms.RequiredAntiAffinity)
            AddTerm(TermKind.RequiredAntiAffinity, 0, term, nodeIndex);
        foreach (var (weight, term) in terms.PreferredAffinity)
            AddTerm(TermKind.PreferredAffinity, weight, term, nodeIndex);
        foreach (var (weight, term) in terms.PreferredAntiAffinity)
            AddTerm(TermKind.PreferredAntiAffinity, weight, term, nodeIndex);
    }

    /// <summary>
    /// How many placed pods on each node every one of <paramref name="allOf"/> selects (terminating pods left out when
    /// <paramref name="skipTerminating"/>, as topology spread counts). The array is the index's own: read, never write.
    /// </summary>
    public int[] CountsPerNode(IReadOnlyList<AffinityTerm> allOf, bool skipTerminating)
    {
        var key = $"{skipTerminating}|{string.Join("&", allOf.Select(t => t.SelectionKey))}";
        if (_selections.TryGetValue(key, out var selection))
            return selection.PerNode;
        selection = new Selection([.. allOf], skipTerminating, new int[_nodes.Length]);
        foreach (var (ns, pods) in _byNamespace)
        {
            var labels = NamespaceLabels(ns);
            if (!selection.AllOf.All(t => t.SelectsNamespace(ns, labels)))
                continue;
            foreach (var placed in pods)
            {
                if (selection.Picks(placed, this))
                    selection.PerNode[placed.NodeIndex]++;
            }
        }
        _selections[key] = selection;
        return selection.PerNode;
    }

    private void AddTerm(TermKind kind, int weight, AffinityTerm term, int nodeIndex)
    {
        // A pod on a node without the topology label holds no domain (kube's topologyToMatchedTermCount.update).
        if (!_nodes[nodeIndex].Labels.TryGetValue(term.TopologyKey, out var value))
            return;
        var key = $"{kind}|{weight}|{term.TopologyKey}|{term.SelectionKey}";
        if (!_terms.TryGetValue(key, out var group))
            _terms[key] = group = new PlacedTerms(kind, weight, term);
        group.Domains[value] = group.Domains.GetValueOrDefault(value) + 1;
    }

    private readonly record struct Placed(string Namespace, IReadOnlyDictionary<string, string>? Labels, bool Terminating, int NodeIndex);

    private sealed record Selection(ImmutableArray<AffinityTerm> AllOf, bool SkipTerminating, int[] PerNode)
    {
        public bool Picks(Placed pod, PodPlacements placements)
        {
            if (SkipTerminating && pod.Terminating)
                return false;
            var labels = placements.NamespaceLabels(pod.Namespace);
            foreach (var term in AllOf)
            {
                if (!term.Matches(pod.Namespace, pod.Labels, labels))
                    return false;
            }
            return true;
        }
    }
}

public enum TermKind { RequiredAffinity, RequiredAntiAffinity, PreferredAffinity, PreferredAntiAffinity }

/// <summary>Placed pods' terms that select the same pods by the same topology key, and how many pods hold them per domain.</summary>
public sealed class PlacedTerms(TermKind kind, int weight, AffinityTerm term)
{
    public TermKind Kind { get; } = kind;

    public int Weight { get; } = weight;

    public AffinityTerm Term { get; } = term;

    /// <summary>Topology value (of <see cref="AffinityTerm.TopologyKey"/>) → pods holding the term there.</summary>
    public Dictionary<string, int> Domains { get; } = new(StringComparer.Ordinal);
}
