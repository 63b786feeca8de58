namespace Granary.Grains.Scheduling;

/// <summary>
/// kube-scheduler's InterPodAffinity plugin over a pass's <see cref="PodPlacements"/>. The filter checks, in kube's
/// order, the pod's required affinity (every term's domain on the node must hold a pod that all terms select, except
/// for the first pod of a group that selects itself), its required anti-affinity, and the required anti-affinity of
/// the pods already placed. The score adds the pod's preferred terms and the placed pods' terms that select the pod
/// (required affinity at weight 1, kube's hardPodAffinityWeight), per topology domain.
/// </summary>
public static class InterPodAffinity
{
    public const string AffinityReason = "node(s) didn't match pod affinity rules";
    public const string AntiAffinityReason = "node(s) didn't match pod anti-affinity rules";
    public const string ExistingAntiAffinityReason = "node(s) didn't satisfy existing pods anti-affinity rules";
    public const int HardPodAffinityWeight = 1;

    /// <summary>The filter's state for one pod (kube's PreFilter), or null when it has nothing to check.</summary>
    public static InterPodAffinityFilter? PreFilter(PodRequirements pod, NodeSnapshot[] nodes, PodPlacements placements)
    {
        var terms = pod.AffinityTerms;
        var nsLabels = placements.NamespaceLabels(pod.Namespace);
        Dictionary<string, HashSet<string>>? existing = null;
        foreach (var group in placements.Terms)
        {
            if (group.Kind != TermKind.RequiredAntiAffinity || !group.Term.Matches(pod.Pod, nsLabels))
                continue;
            foreach (var (value, count) in group.Domains)
            {
                if (count <= 0)
                    continue;
                existing ??= new(StringComparer.Ordinal);
                if (!existing.TryGetValue(group.Term.TopologyKey, out var values))
                    existing[group.Term.TopologyKey] = values = new(StringComparer.Ordinal);
                values.Add(value);
            }
        }
        if (terms.RequiredAffinity.IsEmpty && terms.RequiredAntiAffinity.IsEmpty && existing is null)
            return null;

        var affinity = new Dictionary<(string, string), int>();
        if (!terms.RequiredAffinity.IsEmpty)
        {
            // Pods count for affinity only when every term selects them (kube's updateWithAffinityTerms).
            var counts = placements.CountsPerNode(terms.RequiredAffinity, skipTerminating: false);
            for (var i = 0; i < nodes.Length; i++)
            {
                if (counts[i] > 0)
                    AddDomains(affinity, nodes[i], terms.RequiredAffinity, counts[i]);
            }
        }
        var anti = new Dictionary<(string, string), int>();
        foreach (var term in terms.RequiredAntiAffinity)
        {
            var counts = placements.CountsPerNode([term], skipTerminating: false);
            for (var i = 0; i < nodes.Length; i++)
            {
                if (counts[i] > 0)
                    AddDomains(anti, nodes[i], [term], counts[i]);
            }
        }
        var selfMatch = !terms.RequiredAffinity.IsEmpty && terms.RequiredAffinity.All(t => t.Matches(pod.Pod, nsLabels));
        return new InterPodAffinityFilter(terms, affinity, anti, existing, selfMatch);
    }

    /// <summary>
    /// The raw score per topology key and value for one pod (kube's PreScore), or null when nothing scores: no
    /// preferred terms of its own and no placed pod's term selecting it.
    /// </summary>
    public static Dictionary<string, Dictionary<string, long>>? PreScore(PodRequirements pod, NodeSnapshot[] nodes, PodPlacements placements)
    {
        var terms = pod.AffinityTerms;
        var nsLabels = placements.NamespaceLabels(pod.Namespace);
        Dictionary<string, Dictionary<string, long>>? scores = null;
        foreach (var (weight, term) in terms.PreferredAffinity)
            AddOwnTerm(ref scores, nodes, placements, term, weight);
        foreach (var (weight, term) in terms.PreferredAntiAffinity)
            AddOwnTerm(ref scores, nodes, placements, term, -weight);
        foreach (var group in placements.Terms)
        {
            var weight = group.Kind switch
            {
                TermKind.RequiredAffinity => HardPodAffinityWeight,
                TermKind.PreferredAffinity => group.Weight,
                TermKind.PreferredAntiAffinity => -group.Weight,
                _ => 0,
            };
            if (weight == 0 || !group.Term.Matches(pod.Pod, nsLabels))
                continue;
            foreach (var (value, count) in group.Domains)
                Add(ref scores, group.Term.TopologyKey, value, (long)weight * count);
        }
        return scores;
    }

    /// <summary>A node's raw score: the sum, over the scored topology keys it carries, of its domain's score.</summary>
    public static long Score(NodeSnapshot node, Dictionary<string, Dictionary<string, long>> scores)
    {
        long score = 0;
        foreach (var (key, values) in scores)
        {
            if (node.Labels.TryGetValue(key, out var value))
                score += values.GetValueOrDefault(value);
        }
        return score;
    }

    private static void AddOwnTerm(ref Dictionary<string, Dictionary<string, long>>? scores, NodeSnapshot[] nodes, PodPlacements placements, AffinityTerm term, int weight)
    {
        var counts = placements.CountsPerNode([term], skipTerminating: false);
        for (var i = 0; i < nodes.Length; i++)
        {
            if (counts[i] > 0 && nodes[i].Labels.TryGetValue(term.TopologyKey, out var value))
                Add(ref scores, term.TopologyKey, value, (long)weight * counts[i]);
        }
    }

    private static void Add(ref Dictionary<string, Dictionary<string, long>>? scores, string key, string value, long amount)
    {
        scores ??= new(StringComparer.Ordinal);
        if (!scores.TryGetValue(key, out var values))
            scores[key] = values = new(StringComparer.Ordinal);
        values[value] = values.GetValueOrDefault(value) + amount;
    }

    private static void AddDomains(Dictionary<(string, string), int> domains, NodeSnapshot node, IEnumerable<AffinityTerm> terms, int count)
    {
        foreach (var term in terms)
        {
            if (node.Labels.TryGetValue(term.TopologyKey, out var value))
                domains[(term.TopologyKey, value)] = domains.GetValueOrDefault((term.TopologyKey, value)) + count;
        }
    }
}

/// <summary>One pod's InterPodAffinity filter: matching pods per topology domain, computed once per pod.</summary>
public sealed class InterPodAffinityFilter(
    PodAffinityTerms terms,
    Dictionary<(string Key, string Value), int> affinityCounts,
    Dictionary<(string Key, string Value), int> antiAffinityCounts,
    Dictionary<string, HashSet<string>>? existingAntiAffinity,
    bool matchesOwnAffinity)
{
    public string? Reason(NodeSnapshot node)
    {
        if (!SatisfiesAffinity(node))
            return InterPodAffinity.AffinityReason;
        if (!SatisfiesAntiAffinity(node))
            return InterPodAffinity.AntiAffinityReason;
        if (!SatisfiesExistingAntiAffinity(node))
            return InterPodAffinity.ExistingAntiAffinityReason;
        return null;
    }

    private bool SatisfiesAffinity(NodeSnapshot node)
    {
        var podsExist = true;
        foreach (var term in terms.RequiredAffinity)
        {
            // Every topology label must exist on the node.
            if (!node.Labels.TryGetValue(term.TopologyKey, out var value))
                return false;
            if (affinityCounts.GetValueOrDefault((term.TopologyKey, value)) <= 0)
                podsExist = false;
        }
        // The first pod of a group with affinity to itself: no pod anywhere matches yet, and the pod matches its own
        // terms, so it may land rather than wait forever.
        return podsExist || (affinityCounts.Count == 0 && matchesOwnAffinity);
    }

    private bool SatisfiesAntiAffinity(NodeSnapshot node)
    {
        if (antiAffinityCounts.Count == 0)
            return true;
        foreach (var term in terms.RequiredAntiAffinity)
        {
            if (node.Labels.TryGetValue(term.TopologyKey, out var value) && antiAffinityCounts.GetValueOrDefault((term.TopologyKey, value)) > 0)
                return false;
        }
        return true;
    }

    private bool SatisfiesExistingAntiAffinity(NodeSnapshot node)
    {
        if (existingAntiAffinity is null)
            return true;
        foreach (var (key, values) in existingAntiAffinity)
        {
            if (node.Labels.TryGetValue(key, out var value) && values.Contains(value))
                return false;
        }
        return true;
    }
}
