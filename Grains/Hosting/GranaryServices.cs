using Granary.Grains.Caching;
using Granary.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Granary.Grains.Hosting;

/// <summary>Registers what the grains need on a silo: the object store and the watch cache.</summary>
public static class GranaryServices
{
    /// <summary>The dev-mode store: nothing survives the process.</summary>
    public static IServiceCollection AddGranaryInMemoryStore(this IServiceCollection services) =>
        services.AddSingleton<IObjectStore>(sp => new InMemoryObjectStore(StoreOptionsOf(sp)));

    /// <summary>The production store on Redis, sharing the silo's connection.</summary>
    public static IServiceCollection AddGranaryRedisStore(this IServiceCollection services) =>
        services.AddSingleton<IObjectStore>(sp => new RedisObjectStore(sp.GetRequiredService<IConnectionMultiplexer>(), StoreOptionsOf(sp)));

    /// <summary>The per-silo watch cache, started (warm) with the host.</summary>
    public static IServiceCollection AddGranaryWatchCache(this IServiceCollection services)
    {
        services.AddSingleton<WatchCache>();
        services.AddHostedService(sp => sp.GetRequiredService<WatchCache>());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    private static StoreOptions StoreOptionsOf(IServiceProvider sp) =>
        sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StoreOptions>>().Value;
}
