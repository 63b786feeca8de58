using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Events;
using Granary.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Granary.Grains.Hosting;

/// <summary>Registers what the grains need on a silo: the object store, the watch cache and the event pipeline.</summary>
public static class GranaryServices
{
    /// <summary>The dev-mode store: nothing survives the process.</summary>
    public static IServiceCollection AddGranaryInMemoryStore(this IServiceCollection services) =>
        services.AddSingleton<IObjectStore>(sp => new InMemoryObjectStore(StoreOptionsOf(sp)));

    /// <summary>The production store on Redis, sharing the silo's connection.</summary>
    public static IServiceCollection AddGranaryRedisStore(this IServiceCollection services) =>
        services.AddSingleton<IObjectStore>(sp => new RedisObjectStore(sp.GetRequiredService<IConnectionMultiplexer>(), StoreOptionsOf(sp), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RedisObjectStore>>()));

    /// <summary>The per-silo watch cache, started (warm) with the host.</summary>
    public static IServiceCollection AddGranaryWatchCache(this IServiceCollection services)
    {
        services.AddSingleton<WatchCache>();
        services.AddHostedService(sp => sp.GetRequiredService<WatchCache>());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// The silo's event pipeline: one <see cref="EventBroadcaster"/> writing through the event grains, from which grains
    /// (the scheduler, controllers) make recorders. The TTL is configured with <see cref="EventOptions"/>.
    /// </summary>
    public static IServiceCollection AddGranaryEvents(this IServiceCollection services)
    {
        services.AddOptions<EventOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<GrainEventSink>();
        services.AddSingleton(sp => new EventBroadcaster(
            sp.GetRequiredService<GrainEventSink>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<EventBroadcaster>>()));
        return services;
    }

    private static StoreOptions StoreOptionsOf(IServiceProvider sp) =>
        sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StoreOptions>>().Value;
}
