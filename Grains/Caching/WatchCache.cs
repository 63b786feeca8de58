using Granary.Grains.Storage;
using Granary.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Caching;

/// <summary>Settings of the per-silo watch cache (section "WatchCache").</summary>
public sealed class WatchCacheOptions
{
    /// <summary>Recent events kept in memory per kind; watches resuming from further back get Expired.</summary>
    public int EventWindow { get; set; } = 50_000;

    /// <summary>
    /// The most bytes of recent events kept per kind, counted as the length of their stored JSON (the objects in memory
    /// take about three times that). Whichever of this and <see cref="EventWindow"/> is reached first bounds the history:
    /// the count alone lets a kind of large, busy objects (pods) hold hundreds of MiB. 8 MiB keeps about 7,000 changes
    /// of small pods: half a minute at 200 pod writes/s, many minutes in a normal cluster, which is what a watch needs to
    /// resume after a dropped connection (kube-apiserver sizes its history for 75 s).
    /// </summary>
    public long EventWindowBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>How long a consistent list waits for the cache to catch up with the store.</summary>
    public TimeSpan CatchUpTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// This silo's caches, one per kind, started with the silo so the first list is already warm.
/// A singleton service, not a grain: every silo has its own, fed from the shared store.
/// </summary>
public sealed class WatchCache(IObjectStore store, IOptions<WatchCacheOptions> options, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly Dictionary<string, KindCache> _caches = ResourceKinds.All.ToDictionary(
        k => k.Plural,
        k => new KindCache(k, store, options.Value.EventWindow, loggers.CreateLogger<KindCache>(), options.Value.EventWindowBytes));

    /// <summary>Every kind's cache, by plural resource name (the silo's /metrics reports their sizes).</summary>
    public IEnumerable<KindCache> All => _caches.Values;

    public WatchCacheOptions Options => options.Value;

    public KindCache For(ResourceKind kind) =>
        _caches.TryGetValue(kind.Plural, out var cache) ? cache : throw new ArgumentException($"no cache for kind {kind.Kind}", nameof(kind));

    /// <summary>Waits until the cache holds every write acknowledged before this call (a consistent read).</summary>
    public async Task<KindCache> ConsistentAsync(ResourceKind kind)
    {
        var cache = For(kind);
        long revision;
        try
        {
            revision = await store.GetRevisionAsync(kind);
        }
        catch (Exception e) when (StoreFaults.Retriable(e) is { } retriable)
        {
            throw retriable;
        }
        await cache.WaitForRevisionAsync(revision, options.Value.CatchUpTimeout);
        return cache;
    }

    public Task StartAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_caches.Values.Select(c => c.Ready)).WaitAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var cache in _caches.Values)
            cache.Dispose();
    }
}
