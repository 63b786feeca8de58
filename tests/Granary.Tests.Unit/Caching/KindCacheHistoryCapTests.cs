using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.Storage;
using Granary.Model;
using Granary.Serialization;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.Caching;

/// <summary>The watch history is capped by count and by bytes of stored JSON; the object totals follow writes and deletes.</summary>
public sealed class KindCacheHistoryCapTests : IDisposable
{
    private readonly InMemoryObjectStore _store = new(new StoreOptions());
    private KindCache? _cache;

    public void Dispose() => _cache?.Dispose();

    private static string Json(string name) =>
        GranaryJson.SerializeResource(new Pod { Metadata = new ObjectMeta { Name = name, Namespace = "a", Uid = $"uid-{name}" }, Spec = new PodSpec() });

    private async Task<KindCache> CacheAsync(int window, long windowBytes)
    {
        _cache = new KindCache(ResourceKinds.Pod, _store, window, NullLogger.Instance, windowBytes);
        await _cache.Ready.WaitAsync(TimeSpan.FromSeconds(10));
        return _cache;
    }

    private async Task CatchUpAsync() => await _cache!.WaitForRevisionAsync(await _store.GetRevisionAsync(ResourceKinds.Pod), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task History_PastTheByteCap_KeepsOnlyTheNewestThatFit_AndOlderResumesAreExpired()
    {
        var size = Json("p-000").Length;
        var cache = await CacheAsync(window: 1000, windowBytes: 10L * size + size / 2); // room for ten changes, not eleven
        var revisions = new List<long>();
        for (var i = 0; i < 30; i++)
            revisions.Add(await _store.CreateAsync(ResourceKinds.Pod, $"a/p-{i:000}", Json($"p-{i:000}")));
        await CatchUpAsync();

        var kept = cache.Size;
        Assert.Equal(10, kept.HistoryEvents);
        Assert.Equal(10L * size, kept.HistoryBytes);
        Assert.Equal((30, 30L * size), (kept.Objects, kept.ObjectBytes));
        // The ten newest changes can be resumed from; anything older must list again.
        var (events, _, _) = cache.EventsAfter(revisions[19], ObjectFilter.Everything, 100);
        Assert.Equal(10, events.Count);
        var expired = Assert.Throws<ExpiredException>(() => cache.EventsAfter(revisions[18], ObjectFilter.Everything, 100));
        Assert.Contains("too old resource version", expired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_PastTheCountCap_KeepsTheNewestCount_AndBytesFollow()
    {
        var size = Json("p-000").Length;
        var cache = await CacheAsync(window: 4, windowBytes: long.MaxValue);
        for (var i = 0; i < 9; i++)
            await _store.CreateAsync(ResourceKinds.Pod, $"a/p-{i:000}", Json($"p-{i:000}"));
        await CatchUpAsync();

        Assert.Equal((4, 4L * size), (cache.Size.HistoryEvents, cache.Size.HistoryBytes));
    }

    [Fact]
    public async Task ObjectBytes_FollowDeletes_AndAChangeLargerThanTheCapIsStillKept()
    {
        var cache = await CacheAsync(window: 100, windowBytes: 1);
        var rev = await _store.CreateAsync(ResourceKinds.Pod, "a/p-000", Json("p-000"));
        await _store.CreateAsync(ResourceKinds.Pod, "a/p-001", Json("p-001"));
        await _store.DeleteAsync(ResourceKinds.Pod, "a/p-000", Json("p-000"), rev);
        await CatchUpAsync();

        var size = cache.Size;
        Assert.Equal((1, (long)Json("p-001").Length), (size.Objects, size.ObjectBytes));
        Assert.Equal(0, cache.StoredBytes("a/p-000"));
        // The newest change is always kept, so a watch at the current revision never expires.
        Assert.Equal(1, size.HistoryEvents);
        Assert.Empty(cache.EventsAfter(cache.Revision, ObjectFilter.Everything, 100).Events);
    }
}
