using Granary.Api;
using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Model;
using Granary.Serialization;
using Granary.Selectors;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Caching;

/// <summary>
/// One kind's objects and recent events, kept in memory on one silo and fed from the store's event history
/// (like kube-apiserver's cacher). Every list and watch on the silo is served from here; the store is read
/// once per batch of changes, not once per client.
/// </summary>
public sealed partial class KindCache : IDisposable
{
    private const int ReadBatch = 1000;

    private readonly ResourceKind _kind;
    private readonly IObjectStore _store;
    private readonly ILogger _logger;
    private readonly int _window;
    private readonly object _lock = new();
    private readonly Dictionary<string, IResource> _objects = new(StringComparer.Ordinal);
    private readonly ObjectIndex _index = new();
    private readonly CachedEvent?[] _ring;
    private readonly SemaphoreSlim _nudge = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly IDisposable _subscription;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _revision;
    private long _firstRevision = 1; // revision of the oldest event held in the ring
    private int _generation; // the store's data-loss generation of the kind when this cache last listed
    private int _count;

    /// <summary>Raised (outside the lock) after each applied batch; subscribers must be quick.</summary>
    public event Action<IReadOnlyList<CachedEvent>>? Changed;

    public KindCache(ResourceKind kind, IObjectStore store, int window, ILogger logger)
    {
        _kind = kind;
        _store = store;
        _logger = logger;
        _window = window;
        _ring = new CachedEvent?[window];
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
            if (after < _firstRevision - 1)
                throw new ExpiredException($"too old resource version: {after} ({_firstRevision - 1}); the {_kind.Plural} watch history no longer reaches back that far, list again");
            var events = new List<WatchEvent>();
            var resume = Math.Max(after, _firstRevision - 1);
            for (var rv = after + 1; rv <= _revision && rv - after <= max; rv++)
            {
                var cached = _ring[(int)(rv % _window)]!;
                if (cached.For(filter) is { } e)
                    events.Add(e);
                resume = rv;
            }
            return (events, Math.Max(resume, after), _changed.Task);
        }
    }

    private async Task FeedAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var needsList = true;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (!needsList && _store.Generation(_kind) != _generation)
                {
                    LogDataLost(_logger, _kind.Plural, Revision);
                    needsList = true;
                }
                if (needsList)
                {
                    await RelistAsync();
                    needsList = false;
                    _ready.TrySetResult();
                }
                var events = await _store.ReadEventsAsync(_kind, Revision, ReadBatch);
                if (_store.Generation(_kind) != _generation)
                    continue;
                if (events.Count > 0)
                    Apply(events);
                backoff = TimeSpan.FromMilliseconds(100);
                if (events.Count < ReadBatch)
                    await _nudge.WaitAsync(TimeSpan.FromSeconds(1), _stop.Token);
            }
            catch (ExpiredException)
            {
                LogFellBehind(_logger, _kind.Plural, Revision);
                needsList = true;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFeedFailed(_logger, e, _kind.Plural, backoff);
                try
                {
                    await Task.Delay(backoff, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private async Task RelistAsync()
    {
        int generation;
        StoreSnapshot snapshot;
        do
        {
            // A list that ran into a data loss is from before the repair: list again.
            generation = _store.Generation(_kind);
            snapshot = await _store.ListAsync(_kind);
        }
        while (generation != _store.Generation(_kind));
        TaskCompletionSource changed;
        lock (_lock)
        {
            _generation = generation;
            _objects.Clear();
            _index.Clear();
            foreach (var (key, stored) in snapshot.Objects)
            {
                var obj = Decode(stored.Json, stored.Revision);
                _objects[key] = obj;
                _index.Replace(key, null, obj);
            }
            Array.Clear(_ring);
            _count = 0;
            _revision = snapshot.Revision;
            // The window restarts here: watchers from before the relist must list again.
            _firstRevision = snapshot.Revision + 1;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
        LogListed(_logger, _kind.Plural, snapshot.Objects.Count, snapshot.Revision);
    }

    private void Apply(IReadOnlyList<StoredEvent> events)
    {
        var applied = new List<CachedEvent>(events.Count);
        TaskCompletionSource changed;
        lock (_lock)
        {
            foreach (var e in events)
            {
                if (e.Revision <= _revision)
                    continue;
                var obj = Decode(e.Json, e.Revision);
                _objects.TryGetValue(e.Key, out var previous);
                var type = e.Type switch
                {
                    StoredEventType.Added => WatchEventType.Added,
                    StoredEventType.Deleted => WatchEventType.Deleted,
                    _ => WatchEventType.Modified,
                };
                if (type == WatchEventType.Deleted)
                    _objects.Remove(e.Key);
                else
                    _objects[e.Key] = obj;
                _index.Replace(e.Key, previous, type == WatchEventType.Deleted ? null : obj);
                var cached = new CachedEvent(e.Revision, type, obj, previous);
                _ring[(int)(e.Revision % _window)] = cached;
                _count = Math.Min(_count + 1, _window);
                _revision = e.Revision;
                _firstRevision = _revision - _count + 1;
                applied.Add(cached);
            }
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
        if (applied.Count > 0)
            Changed?.Invoke(applied);
    }

    private IResource Decode(string json, long revision)
    {
        var obj = GranaryJson.DeserializeResource(json, _kind);
        return obj.WithMetadata(obj.Metadata with { ResourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    private void OnDataLost(ResourceKind kind)
    {
        if (kind.Plural == _kind.Plural)
            Nudge();
    }

    public void Dispose()
    {
        _store.DataLost -= OnDataLost;
        _stop.Cancel();
        _subscription.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch cache for {Kind} listed {Count} objects at revision {Revision}")]
    private static partial void LogListed(ILogger logger, string kind, int count, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch cache for {Kind} fell behind the store's event history at revision {Revision}; listing again")]
    private static partial void LogFellBehind(ILogger logger, string kind, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch cache for {Kind} drops its objects (at revision {Revision}) because the store lost data; listing again, and watches from before get 410 Gone")]
    private static partial void LogDataLost(ILogger logger, string kind, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch cache for {Kind} could not read the store; retrying in {Backoff}")]
    private static partial void LogFeedFailed(ILogger logger, Exception exception, string kind, TimeSpan backoff);
}
