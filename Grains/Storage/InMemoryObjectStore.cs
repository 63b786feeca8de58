using Granary.Model;

namespace Granary.Grains.Storage;

/// <summary>
/// The dev-mode store: one process, nothing persisted. Same semantics as the Redis store, including
/// bounded event history, so behaviour does not change between modes.
/// </summary>
public sealed class InMemoryObjectStore(StoreOptions options) : IObjectStore
{
    private readonly Dictionary<string, KindData> _kinds = [];

    private KindData For(ResourceKind kind)
    {
        lock (_kinds)
        {
            if (!_kinds.TryGetValue(kind.Plural, out var data))
                _kinds[kind.Plural] = data = new KindData();
            return data;
        }
    }

    public Task<long> CreateAsync(ResourceKind kind, string key, string json)
    {
        var d = For(kind);
        lock (d)
        {
            if (d.Objects.ContainsKey(key))
                throw StoreErrors.AlreadyExists(kind, key);
            return Task.FromResult(d.Append(key, json, StoredEventType.Added, options.EventHistory));
        }
    }

    public Task<long> UpdateAsync(ResourceKind kind, string key, string json, long expectedRevision)
    {
        var d = For(kind);
        lock (d)
        {
            d.Check(kind, key, expectedRevision);
            return Task.FromResult(d.Append(key, json, StoredEventType.Modified, options.EventHistory));
        }
    }

    public Task<long> DeleteAsync(ResourceKind kind, string key, string finalJson, long expectedRevision)
    {
        var d = For(kind);
        lock (d)
        {
            d.Check(kind, key, expectedRevision);
            return Task.FromResult(d.Append(key, finalJson, StoredEventType.Deleted, options.EventHistory));
        }
    }

    public Task<StoredObject?> GetAsync(ResourceKind kind, string key)
    {
        var d = For(kind);
        lock (d)
            return Task.FromResult(d.Objects.GetValueOrDefault(key));
    }

    public Task<StoreSnapshot> ListAsync(ResourceKind kind)
    {
        var d = For(kind);
        lock (d)
            return Task.FromResult(new StoreSnapshot(d.Revision, [.. d.Objects]));
    }

    public Task<long> GetRevisionAsync(ResourceKind kind)
    {
        var d = For(kind);
        lock (d)
            return Task.FromResult(d.Revision);
    }

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(ResourceKind kind, long afterRevision, int max)
    {
        var d = For(kind);
        lock (d)
        {
            if (afterRevision >= d.Revision)
                return Task.FromResult<IReadOnlyList<StoredEvent>>([]);
            var oldest = d.Events.Count == 0 ? d.Revision + 1 : d.Events.Peek().Revision;
            if (afterRevision + 1 < oldest)
                throw StoreErrors.Expired(kind, afterRevision, oldest - 1);
            return Task.FromResult<IReadOnlyList<StoredEvent>>([.. d.Events.Where(e => e.Revision > afterRevision).Take(max)]);
        }
    }

    public IDisposable SubscribeChanges(ResourceKind kind, Action onChange)
    {
        var d = For(kind);
        lock (d)
            d.Listeners.Add(onChange);
        return new CallbackDisposable(() => { lock (d) d.Listeners.Remove(onChange); });
    }

    /// <summary>Memory is lost only with the process, and then every copy of it is gone too.</summary>
    public int Generation(ResourceKind kind) => 0;

    public event Action<ResourceKind>? DataLost
    {
        add { }
        remove { }
    }

    private sealed class KindData
    {
        public readonly Dictionary<string, StoredObject> Objects = [];
        public readonly Queue<StoredEvent> Events = new();
        public readonly List<Action> Listeners = [];
        public long Revision;

        public void Check(ResourceKind kind, string key, long expectedRevision)
        {
            if (!Objects.TryGetValue(key, out var current))
                throw StoreErrors.NotFound(kind, key);
            if (current.Revision != expectedRevision)
                throw StoreErrors.Conflict(kind, key);
        }

        public long Append(string key, string json, StoredEventType type, int history)
        {
            var rv = ++Revision;
            if (type == StoredEventType.Deleted)
                Objects.Remove(key);
            else
                Objects[key] = new StoredObject(rv, json);
            Events.Enqueue(new StoredEvent(rv, type, key, json));
            while (Events.Count > history)
                Events.Dequeue();
            foreach (var listener in Listeners.ToArray())
                ThreadPool.UnsafeQueueUserWorkItem(static l => l(), listener, preferLocal: false);
            return rv;
        }
    }
}
