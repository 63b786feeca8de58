using Granary.Api;
using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Model;
using Granary.Selectors;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Caching;

/// <summary>
/// One kind's objects and recent events, kept in memory on one silo and fed from the store's event history
/// (like kube-apiserver's cacher). Every list and watch on the silo is served from here; the store is read
/// once per batch of changes, not once per client. The watch history is capped twice: by a count of changes and by
/// the bytes of their stored JSON, whichever is reached first; the oldest changes are forgotten first, and a watch
/// that resumes from before them is told to list again (410 Expired), as kube-apiserver's cacher does.
/// </summary>
public sealed partial class KindCache : IDisposable
{
    private const int ReadBatch = 1000;

    private readonly ResourceKind _kind;
    private readonly IObjectStore _store;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly Dictionary<string, IResource> _objects = new(StringComparer.Ordinal);
    private readonly ObjectIndex _index = new();
    private readonly WatchHistory _history;
    private readonly SemaphoreSlim _nudge = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly IDisposable _subscription;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ObjectSizes _sizes = new();
    private long _revision;
    private int _generation; // the store's data-loss generation of the kind when this cache last listed

    /// <summary>Raised (outside the lock) after each applied batch; subscribers must be quick.</summary>
    public event Action<IReadOnlyList<CachedEvent>>? Changed;

    /// <param name="window">The most changes the watch history keeps.</param>
    /// <param name="windowBytes">The most bytes (of stored JSON) the watch history keeps; at least the newest change is always kept.</param>
    public KindCache(ResourceKind kind, IObjectStore store, int window, ILogger logger, long windowBytes = long.MaxValue)
    {
        _history = new WatchHistory(window, windowBytes);
        _kind = kind;
        _store = store;
        _logger = logger;
        _subscription = store.SubscribeChanges(kind, Nudge);
        store.DataLost += OnDataLost;
        _ = Task.Run(FeedAsync);
    }

    public ResourceKind Kind => _kind;

    public long Revision
    {
        get { lock (_lock) return _revision; }
    }

    public Task Ready => _ready.Task;

    public void Nudge()
    {
        if (_nudge.CurrentCount == 0)
        {
            try
            {
                _nudge.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another nudge got there first; one pending nudge is enough.
            }
        }
    }

    /// <summary>Waits until the cache has applied every write up to <paramref name="revision"/>.</summary>
    public async Task WaitForRevisionAsync(long revision, TimeSpan timeout)
    {
        await _ready.Task.WaitAsync(timeout);
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                // After a data loss the old objects must not pass for current: wait for the relist.
                if (_revision >= revision && _generation == _store.Generation(_kind))
                    return;
                changed = _changed.Task;
            }
            Nudge();
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"the {_kind.Plural} cache did not reach revision {revision} within {timeout.TotalSeconds:0}s (at {Revision}); is the store reachable?");
            }
        }
    }

    /// <summary>The matching objects, sorted by key, and the revision they are consistent at.</summary>
    public (long Revision, List<KeyValuePair<string, IResource>> Items) Snapshot(ObjectFilter filter)
    {
        lock (_lock)
        {
            var items = new List<KeyValuePair<string, IResource>>();
            if (BoundNode(filter) is { } node)
            {
                // spec.nodeName=NODE (an agent's resync, kubectl drain's list) reads only that node's pods.
                foreach (var key in _index.OnNode(node))
                {
                    var value = _objects[key];
                    if (filter.Matches(value))
                        items.Add(new(key, value));
                }
            }
            else if (filter.Namespace is { } ns)
            {
                // A namespaced list looks only at that namespace's objects (the label index narrows further).
                foreach (var key in _index.Candidates(ns, filter.Labels))
                {
                    var value = _objects[key];
                    if (filter.Matches(value))
                        items.Add(new(key, value));
                }
            }
            else
            {
                foreach (var pair in _objects)
                {
                    if (filter.Matches(pair.Value))
                        items.Add(pair);
                }
            }
            items.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return (_revision, items);
        }
    }

    /// <summary>The node a filter's <c>spec.nodeName=</c> requirement names, when the node index can serve it (pods only).</summary>
    private string? BoundNode(ObjectFilter filter) =>
        _kind.Plural == ResourceKinds.Pod.Plural && !filter.Fields.IsEmpty
            ? filter.Fields.Requirements.FirstOrDefault(r => r is { Field: "spec.nodeName", Equal: true } && r.Value.Length > 0)?.Value
            : null;

    /// <summary>The objects whose ownerReferences name <paramref name="ownerUid"/> (controller or not), sorted by key; no scan.</summary>
    public IReadOnlyList<IResource> OwnedBy(string ownerUid)
    {
        lock (_lock)
            return Resolve(_index.OwnedBy(ownerUid), null);
    }

    /// <summary>The objects of <paramref name="namespace"/> whose labels match <paramref name="selector"/>, sorted by key; served from the label index.</summary>
    public IReadOnlyList<IResource> Selected(string @namespace, LabelSelector selector)
    {
        lock (_lock)
            return Resolve(_index.Candidates(@namespace, selector), selector);
    }

    /// <summary>The pods bound to <paramref name="node"/>, sorted by key; no scan.</summary>
    public IReadOnlyList<IResource> OnNode(string node)
    {
        lock (_lock)
            return Resolve(_index.OnNode(node), null);
    }

    private List<IResource> Resolve(IReadOnlyCollection<string> keys, LabelSelector? selector)
    {
        var sorted = keys.ToList();
        sorted.Sort(StringComparer.Ordinal);
        var items = new List<IResource>(sorted.Count);
        foreach (var key in sorted)
        {
            var value = _objects[key];
            if (selector is null || selector.Matches(value.Metadata.Labels))
                items.Add(value);
        }
        return items;
    }

    public int Count
    {
        get { lock (_lock) return _objects.Count; }
    }

    /// <summary>What the cache holds now, for the silo's /metrics: objects and their JSON bytes, the watch history and its bytes.</summary>
    public KindCacheSize Size
    {
        get
        {
            lock (_lock)
                return new KindCacheSize(_objects.Count, _sizes.Total, _history.Count, _history.Bytes);
        }
    }

    /// <summary>The length of the stored JSON of the object at <paramref name="key"/>; 0 when the cache does not hold it.</summary>
    public int StoredBytes(string key)
    {
        lock (_lock)
            return _sizes.Of(key);
    }

    public IResource? Get(string key)
    {
        lock (_lock)
            return _objects.GetValueOrDefault(key);
    }

    /// <summary>
    /// Events after <paramref name="after"/> that pass the filter (up to <paramref name="max"/> examined), and the
    /// revision the caller resumes from. Throws Expired when the window no longer reaches back to it.
    /// </summary>
    public (List<WatchEvent> Events, long ResumeAt, Task Changed) EventsAfter(long after, ObjectFilter filter, int max)
    {
        lock (_lock)
        {
            if (after < _history.FirstRevision - 1)
                throw new ExpiredException($"too old resource version: {after} ({_history.FirstRevision - 1}); the {_kind.Plural} watch history no longer reaches back that far, list again");
            var events = new List<WatchEvent>();
            var resume = Math.Max(after, _history.FirstRevision - 1);
            for (var rv = after + 1; rv <= _revision && rv - after <= max; rv++)
            {
                var cached = _history.At(rv);
                if (cached.For(filter) is { } e)
                    events.Add(e);
                resume = rv;
            }
            return (events, Math.Max(resume, after), _changed.Task);
        }
    }

    public void Dispose()
    {
        _store.DataLost -= OnDataLost;
        _stop.Cancel();
        _subscription.Dispose();
    }
}
