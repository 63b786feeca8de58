using Granary.Api;
using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Model;
using Granary.Serialization;
using Granary.Retry;

namespace Granary.Grains.Caching;

/// <summary>
/// Keeping the cache current: one loop per kind reads the store's event history after the cache's revision (woken by
/// the store's change notifications, at least once a second), applies each batch under the lock, and lists the kind
/// again when it fell behind the history or the store lost data.
/// </summary>
public sealed partial class KindCache
{
    private async Task FeedAsync()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
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
                backoff.Reset();
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
                var delay = backoff.Next();
                LogFeedFailed(_logger, e, _kind.Plural, delay);
                try
                {
                    await Task.Delay(delay, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
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
            _sizes.Clear();
            foreach (var (key, stored) in snapshot.Objects)
            {
                var obj = Decode(stored.Json, stored.Revision);
                _objects[key] = obj;
                _index.Replace(key, null, obj);
                _sizes.Set(key, stored.Json.Length);
            }
            _revision = snapshot.Revision;
            // The window restarts here: watchers from before the relist must list again.
            _history.Restart(snapshot.Revision);
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
                _sizes.Set(e.Key, type == WatchEventType.Deleted ? 0 : e.Json.Length);
                _index.Replace(e.Key, previous, type == WatchEventType.Deleted ? null : obj);
                var cached = new CachedEvent(e.Revision, type, obj, previous) { Bytes = e.Json.Length };
                _history.Add(cached);
                _revision = cached.Revision;
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
}
