namespace Granary.Events;

/// <summary>
/// A map that keeps at most <paramref name="capacity"/> entries, forgetting the least recently used first: the event
/// pipeline's caches (client-go keeps each of its own in a 4096-entry LRU, so a process that reports on many
/// objects holds a bounded amount). Not thread-safe: callers lock.
/// </summary>
internal sealed class LeastRecentlyUsed<TValue>(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, TValue Value)>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, TValue Value)> _recency = new();

    public int Count => _byKey.Count;

    /// <summary>The value at <paramref name="key"/>, which becomes the most recently used.</summary>
    public bool TryGet(string key, out TValue value)
    {
        if (_byKey.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            value = node.Value.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>Sets the value at <paramref name="key"/> as the most recently used, forgetting the least recently used past the capacity.</summary>
    public void Set(string key, TValue value)
    {
        if (_byKey.TryGetValue(key, out var node))
            _recency.Remove(node);
        _byKey[key] = _recency.AddFirst((key, value));
        while (_byKey.Count > capacity && _recency.Last is { } oldest)
        {
            _recency.RemoveLast();
            _byKey.Remove(oldest.Value.Key);
        }
    }

    public void Remove(string key)
    {
        if (_byKey.Remove(key, out var node))
            _recency.Remove(node);
    }
}
