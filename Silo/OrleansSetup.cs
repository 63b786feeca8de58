using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Granary.Silo.Redis;
using StackExchange.Redis;

namespace Granary.Silo;

/// <summary>The Orleans side of the silo: clustering, grain storage and reminders for dev or Redis mode.</summary>
internal static class OrleansSetup
{
    public static void Configure(ISiloBuilder silo, SiloSettings settings, IConfiguration configuration, Security.OrleansTls? tls = null)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ClusterId;
        });
        // Fail over in seconds on a LAN (Orleans' defaults take ~12 s); "Membership" settings loosen it for slow links.
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.NumMissedProbesLimit = 2;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        });
        silo.Services.Configure<ClusterMembershipOptions>(configuration.GetSection("Membership"));
        GrainCollection.Configure(silo, configuration);
        GrainDirectoryCache.Configure(silo, configuration);
        silo.UseSystemTextJsonGrainStorageSerializer();
        // Redis faults that pass by themselves reach callers as retriable 503/504, not as a codec error.
        silo.AddIncomingGrainCallFilter<Granary.Grains.Storage.StoreFaultFilter>();
        // The dashboard's grains and call statistics run only when it is on: its call filter costs on every grain call.
        if (settings.DashboardPort is not null)
            silo.AddDashboard();

        if (settings.DevMode)
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ClusterId, clusterId: settings.ClusterId);
            silo.AddMemoryGrainStorageAsDefault();
            silo.UseInMemoryReminderService();
            return;
        }

        var address = IPAddress.Parse(settings.AdvertisedAddress);
        silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: false);
        // Every Redis user gets the same connection settings (password, ACL user, TLS, Sentinel service name).
        var redis = RedisConnection.From(settings).Connection
            ?? throw new InvalidOperationException("the Redis settings were validated before the host was built");
        silo.Services.AddSingleton(redis);
        silo.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.Options()));
        silo.UseRedisClustering(o => o.ConfigurationOptions = redis.Options());
        silo.AddRedisGrainStorageAsDefault(o => o.ConfigurationOptions = redis.Options());
        silo.UseRedisReminderService(o => o.ConfigurationOptions = redis.Options());
        if (tls is not null)
            Security.GrainCallSecurity.Add(silo, tls, settings.ClusterId);
    }
}
