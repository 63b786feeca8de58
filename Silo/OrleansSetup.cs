using System.Net;
using Orleans.Configuration;
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
        silo.UseSystemTextJsonGrainStorageSerializer();

        if (settings.DevMode)
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ClusterId, clusterId: settings.ClusterId);
            silo.AddMemoryGrainStorageAsDefault();
            silo.UseInMemoryReminderService();
            return;
        }

        var address = IPAddress.Parse(settings.AdvertisedAddress);
        silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: false);
        var redis = RedisConfiguration(settings.Redis!);
        silo.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));
        silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
        silo.AddRedisGrainStorageAsDefault(o => o.ConfigurationOptions = redis);
        silo.UseRedisReminderService(o => o.ConfigurationOptions = redis);
        if (tls is not null)
            Security.GrainCallSecurity.Add(silo, tls, settings.ClusterId);
    }

    /// <summary>Parses "host:port" (or a full configuration string), retrying while Redis starts rather than failing at once.</summary>
    public static ConfigurationOptions RedisConfiguration(string redis)
    {
        var options = ConfigurationOptions.Parse(redis);
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 5;
        return options;
    }
}
