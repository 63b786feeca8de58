using System.Collections.Concurrent;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>
/// What the last inspect of each listed container said, so that listing a node's containers costs one call when
/// nothing changed, instead of one inspect per container. An entry serves only while the engine's list shows the
/// container in the state the inspect saw (created, running, exited: every change the sync loop acts on changes it),
/// and is dropped when the engine's events stream mentions the container or the agent acts on it. An inspect that
/// raced with such a change is not kept. Containers a list no longer shows are forgotten, so the cache holds at most
/// the containers that exist.
/// </summary>
internal sealed class InspectCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    // When each container was last changed, on the cache's own clock: an inspect that began before is not kept.
    private readonly ConcurrentDictionary<string, long> _changedAt = new(StringComparer.Ordinal);
    private long _clock;
    private long _clearedAt;

    private sealed record Entry(string EngineState, ContainerInfo Info);

    /// <summary>The moment an inspect begins, to pass to <see cref="Keep"/> when it returns.</summary>
    public long Now() => Interlocked.Read(ref _clock);

    /// <summary>The cached inspect of a container, if the engine's list still shows it in the same state.</summary>
    public ContainerInfo? Get(string id, string? listedState) =>
        listedState is not null && _entries.TryGetValue(id, out var entry) && entry.EngineState == listedState ? entry.Info : null;

    /// <summary>Keeps an inspect that began at <paramref name="begunAt"/>, unless the container changed since.</summary>
    public void Keep(string id, string? engineState, ContainerInfo info, long begunAt)
    {
        if (engineState is null || Interlocked.Read(ref _clearedAt) > begunAt || (_changedAt.TryGetValue(id, out var changed) && changed > begunAt))
            return;
        _entries[id] = new Entry(engineState, info);
    }

    /// <summary>The container changed (an engine event, or the agent started, stopped or removed it).</summary>
    public void Changed(string id)
    {
        _changedAt[id] = Interlocked.Increment(ref _clock);
        _entries.TryRemove(id, out _);
    }

    /// <summary>Every entry is suspect: the events stream broke, so changes may have gone unheard.</summary>
    public void Clear()
    {
        Interlocked.Exchange(ref _clearedAt, Interlocked.Increment(ref _clock));
        _entries.Clear();
        _changedAt.Clear();
    }

    /// <summary>Forgets the containers that carry <paramref name="labels"/> but that a list filtered by them no longer shows.</summary>
    public void Retain(IReadOnlyDictionary<string, string> labels, IReadOnlySet<string> listed)
    {
        foreach (var (id, entry) in _entries)
        {
            if (!listed.Contains(id) && labels.All(l => entry.Info.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            {
                _entries.TryRemove(id, out _);
                _changedAt.TryRemove(id, out _);
            }
        }
        // Marks of containers never cached (destroyed before any list saw them) go with the next list that misses them.
        foreach (var id in _changedAt.Keys)
        {
            if (!listed.Contains(id) && !_entries.ContainsKey(id))
                _changedAt.TryRemove(id, out _);
        }
    }

    public int Count => _entries.Count;
}
