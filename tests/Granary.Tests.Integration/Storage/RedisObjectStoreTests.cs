using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Model;
using Granary.Tests.Integration.Infrastructure;
using StackExchange.Redis;

namespace Granary.Tests.Integration.Storage;

/// <summary>The production store against a real redis-server: atomic writes, revisions, events, history limits.</summary>
public sealed class RedisObjectStoreTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    private RedisObjectStore Store(int history = 1000) =>
        new(_connection, new StoreOptions { KeyPrefix = $"t{Guid.NewGuid():N}", EventHistory = history });

    private static readonly ResourceKind Pods = ResourceKinds.Pod;

    [Fact]
    public async Task Writes_BumpTheKindRevisionAndAppendOneEventEach()
    {
        var store = Store();
        var r1 = await store.CreateAsync(Pods, "default/a", "{\"a\":1}");
        var r2 = await store.CreateAsync(Pods, "default/b", "{\"b\":1}");
        var r3 = await store.UpdateAsync(Pods, "default/a", "{\"a\":2}", r1);
        var r4 = await store.DeleteAsync(Pods, "default/b", "{\"b\":\"final\"}", r2);

        Assert.Equal([1L, 2, 3, 4], [r1, r2, r3, r4]);
        Assert.Equal(4, await store.GetRevisionAsync(Pods));
        var events = await store.ReadEventsAsync(Pods, 0, 100);
        Assert.Equal(
            [(1L, StoredEventType.Added, "default/a", "{\"a\":1}"), (2, StoredEventType.Added, "default/b", "{\"b\":1}"),
             (3, StoredEventType.Modified, "default/a", "{\"a\":2}"), (4, StoredEventType.Deleted, "default/b", "{\"b\":\"final\"}")],
            events.Select(e => (e.Revision, e.Type, e.Key, e.Json)).ToArray());
        Assert.Equal(new StoredObject(3, "{\"a\":2}"), await store.GetAsync(Pods, "default/a"));
        Assert.Null(await store.GetAsync(Pods, "default/b"));
    }

    [Fact]
    public async Task List_ReturnsEveryObjectAtOneRevision()
    {
        var store = Store();
        await store.CreateAsync(Pods, "ns/x", "{}");
        await store.CreateAsync(Pods, "ns/y", "{}");

        var snapshot = await store.ListAsync(Pods);

        Assert.Equal(2, snapshot.Revision);
        Assert.Equal(["ns/x", "ns/y"], snapshot.Objects.Select(o => o.Key).Order().ToArray());
    }

    [Fact]
    public async Task StaleOrMissingWrites_AreRefusedAndLeaveNoEvent()
    {
        var store = Store();
        var rv = await store.CreateAsync(Pods, "ns/a", "{}");

        await Assert.ThrowsAsync<AlreadyExistsException>(() => store.CreateAsync(Pods, "ns/a", "{}"));
        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateAsync(Pods, "ns/a", "{}", rv + 10));
        await Assert.ThrowsAsync<NotFoundException>(() => store.UpdateAsync(Pods, "ns/missing", "{}", 1));
        await Assert.ThrowsAsync<ConflictException>(() => store.DeleteAsync(Pods, "ns/a", "{}", rv + 1));

        Assert.Equal(1, await store.GetRevisionAsync(Pods));
        Assert.Single(await store.ReadEventsAsync(Pods, 0, 100));
    }

    [Fact]
    public async Task ReadEvents_FromBeforeTheTrimmedHistory_FailsExpired()
    {
        var store = Store(history: 10);
        var rv = await store.CreateAsync(Pods, "ns/a", "{}");
        // MAXLEN ~ trims whole stream nodes (100 entries by default), so write well past it.
        for (var i = 0; i < 1000; i++)
            rv = await store.UpdateAsync(Pods, "ns/a", $"{{\"i\":{i}}}", rv);

        var e = await Assert.ThrowsAsync<ExpiredException>(() => store.ReadEventsAsync(Pods, 1, 10));
        Assert.StartsWith("too old resource version: 1", e.Message, StringComparison.Ordinal);
        var recent = await store.ReadEventsAsync(Pods, rv - 3, 10);
        Assert.Equal([rv - 2, rv - 1, rv], recent.Select(x => x.Revision).ToArray());
    }

    [Fact]
    public async Task SubscribeChanges_IsCalledAfterAWrite()
    {
        var store = Store();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Subscribe returns once Redis confirmed the subscription, so the write below is seen.
        using var subscription = store.SubscribeChanges(Pods, () => called.TrySetResult());

        await store.CreateAsync(Pods, "ns/a", "{}");

        await called.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
