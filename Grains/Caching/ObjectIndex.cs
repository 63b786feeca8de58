using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.Caching;

/// <summary>
/// Secondary indexes over one kind's cached objects, so controllers find their objects without scanning a
/// namespace: by namespace, by owner uid (every ownerReference), by label pair within a namespace, and (pods) by
/// the node they are bound to. Each write costs one removal and one insertion per namespace, owner, label and node
/// of the old and new object: O(labels + owners) set operations, no scan. Not thread-safe: <see cref="KindCache"/>
/// calls it under its lock.
/// </summary>
internal sealed class ObjectIndex
{
    private readonly Dictionary<string, HashSet<string>> _byNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byLabel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byNode = new(StringComparer.Ordinal);

    public void Clear()
    {
        _byNamespace.Clear();
        _byOwner.Clear();
        _byLabel.Clear();
        _byNode.Clear();
    }

    /// <summary>Moves <paramref name="key"/>'s entries from <paramref name="previous"/> (null when new) to <paramref name="current"/> (null when deleted).</summary>
    public void Replace(string key, IResource? previous, IResource? current)
    {
        if (previous is not null)
            Visit(key, previous, Remove);
        if (current is not null)
            Visit(key, current, Add);
    }

    public IReadOnlyCollection<string> InNamespace(string @namespace) => _byNamespace.GetValueOrDefault(@namespace) ?? [];

    public IReadOnlyCollection<string> OwnedBy(string ownerUid) => _byOwner.GetValueOrDefault(ownerUid) ?? [];

    public IReadOnlyCollection<string> OnNode(string node) => _byNode.GetValueOrDefault(node) ?? [];

    /// <summary>
    /// The keys that may match <paramref name="selector"/> in <paramref name="namespace"/>: the smallest set an
    /// equality requirement (=, ==, or in) narrows to, else the whole namespace. Callers still apply the selector.
    /// </summary>
    public IReadOnlyCollection<string> Candidates(string @namespace, LabelSelector selector)
    {
        IReadOnlyCollection<string> best = InNamespace(@namespace);
        if (selector.IsEmpty)
            return best;
        foreach (var requirement in selector.Requirements)
        {
            if (requirement.Operator is not (SelectorOperator.Equals or SelectorOperator.In))
                continue;
            IReadOnlyCollection<string> narrowed = requirement.Values is [var only]
                ? _byLabel.GetValueOrDefault(LabelKey(@namespace, requirement.Key, only)) ?? []
                : requirement.Values.SelectMany(v => _byLabel.GetValueOrDefault(LabelKey(@namespace, requirement.Key, v)) ?? []).ToHashSet(StringComparer.Ordinal);
            if (narrowed.Count < best.Count)
                best = narrowed;
        }
        return best;
    }

    private void Visit(string key, IResource resource, Action<Dictionary<string, HashSet<string>>, string, string> action)
    {
        var ns = resource.Metadata.Namespace ?? "";
        action(_byNamespace, ns, key);
        foreach (var owner in resource.Metadata.OwnerReferences ?? [])
        {
            if (!string.IsNullOrEmpty(owner.Uid))
                action(_byOwner, owner.Uid, key);
        }
        foreach (var (name, value) in resource.Metadata.Labels ?? System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty)
            action(_byLabel, LabelKey(ns, name, value), key);
        if (resource is Pod { Spec.NodeName: { } node })
            action(_byNode, node, key);
    }

    private static void Add(Dictionary<string, HashSet<string>> index, string entry, string key)
    {
        if (!index.TryGetValue(entry, out var keys))
            index[entry] = keys = new HashSet<string>(StringComparer.Ordinal);
        keys.Add(key);
    }

    private static void Remove(Dictionary<string, HashSet<string>> index, string entry, string key)
    {
        if (index.TryGetValue(entry, out var keys) && keys.Remove(key) && keys.Count == 0)
            index.Remove(entry);
    }

    // NUL cannot occur in a namespace, label name or value, so the three parts never run into each other.
    private static string LabelKey(string @namespace, string name, string value) => $"{@namespace}\0{name}\0{value}";
}
