using System.Net;
using Granary.Errors;
using Granary.Grains.Hosting;
using Granary.Grains.Services;
using Granary.Silo.Api;
using Granary.Silo.Security;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Granary.Silo;

/// <summary>
/// Runs once the silo is up (hosted services start in order, Orleans first): creates the built-in
/// namespaces, the default StorageClass and the kubernetes service, writes the kubeconfig for the API and says the silo is ready, and, in dev mode, that nothing is persisted.
/// </summary>
internal sealed partial class SiloStartup(IGrainFactory grains, IOptions<EndpointOptions> endpoints, IOptions<ClusterOptions> cluster,
    IOptions<ServiceNetworkOptions> serviceNetwork, IConfiguration configuration, ApiSecurity security, IOptions<Granary.Grains.ServiceAccounts.RootCaOptions> rootCa,
    ILogger<SiloStartup> logger) : IHostedService, IDisposable
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await BuiltInNamespaces.EnsureAsync(grains);
        await LocalPathStorageClass.EnsureAsync(grains);
        await Granary.Grains.Rbac.BootstrapRbac.EnsureAsync(grains);
        // This silo's API CA may be new (a first start, a replaced certificate): every namespace's kube-root-ca.crt gets it,
        // in the background, as kube's root CA publisher does: a grain on a silo that just died must not stop this start.
        _publishing = PublishRootCaAsync(_stopping.Token);
        // Expired events are deleted by one sweeper in the cluster; its reminder keeps it going after a failover.
        await grains.GetGrain<Granary.Api.IEventSweeperGrain>(Granary.Api.IEventSweeperGrain.Key).StartAsync();
        var settings = configuration.Get<SiloSettings>() ?? new SiloSettings();
        if (settings.DevMode)
            LogNotPersisted(logger);
        var apiAddress = IPAddress.Parse(settings.ApiAddress);
        // The kubernetes service names where this silo's API is reached: its advertised address when it listens on all.
        var endpointAddress = apiAddress.Equals(IPAddress.Any) ? endpoints.Value.AdvertisedIPAddress?.ToString() ?? "127.0.0.1" : settings.ApiAddress;
        try
        {
            await KubernetesService.EnsureAsync(grains, serviceNetwork.Value.Parse().FirstAddress, endpointAddress, settings.EffectiveApiPort);
        }
        catch (GranaryException e)
        {
            // The API works without it; only in-cluster discovery of the API is missing. The next start tries again.
            LogNoKubernetesService(logger, e.Message);
        }
        var server = KubeconfigFile.ServerUrl(apiAddress, settings.EffectiveApiPort, https: security.Tls is not null);
        KubeconfigFile.Write(settings.EffectiveKubeconfig, server, security.Kubeconfig);
        foreach (var notice in security.Notices)
            LogApiSecurityNotice(logger, notice);
        foreach (var warning in security.Warnings)
            LogApiSecurityWarning(logger, warning);
        LogApi(logger, server, security.Summary, settings.EffectiveKubeconfig);
        LogReady(logger, cluster.Value.ClusterId, endpoints.Value.AdvertisedIPAddress?.ToString() ?? "127.0.0.1", endpoints.Value.GatewayPort,
            settings.DevMode ? "memory (dev mode)" : $"redis {Granary.Silo.Redis.RedisConnection.Redacted(settings.Redis!)}");
    }

    private readonly CancellationTokenSource _stopping = new();
    private Task _publishing = Task.CompletedTask;

    private async Task PublishRootCaAsync(CancellationToken ct)
    {
        var backoff = new Granary.Retry.Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var namespaces = await grains.GetGrain<Granary.Api.IListWatchGrain>(0).ListAsync(new Granary.Api.ListRequest { Kind = Granary.Model.ResourceKinds.Namespace });
                foreach (var item in namespaces.Items.Where(n => n.Metadata.DeletionTimestamp is null))
                    await Granary.Grains.ServiceAccounts.RootCaPublisher.EnsureAsync(grains, item.Metadata.Name!, rootCa.Value.CaPem);
                return;
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or GranaryException && !ct.IsCancellationRequested)
            {
                LogRootCaRetry(logger, e.Message);
                if (!await backoff.TryDelayAsync(TimeProvider.System, ct))
                    return;
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _publishing.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // The host's service provider disposes hosted services when it is disposed, after StopAsync.
    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not yet publish the API's CA to every namespace's kube-root-ca.crt ({Reason}); retrying")]
    private static partial void LogRootCaRetry(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "State is not persisted: this silo runs in embedded dev mode with in-memory storage, and everything is lost when it stops. To persist, start it with --redis HOST:PORT (or GRANARY_REDIS).")]
    private static partial void LogNotPersisted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubernetes API at {Server} ({Security}); kubeconfig written to {Kubeconfig}")]
    private static partial void LogApi(ILogger logger, string server, string security, string kubeconfig);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Notice}")]
    private static partial void LogApiSecurityNotice(ILogger logger, string notice);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogApiSecurityWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The kubernetes service in default could not be created or updated: {Reason}. The API serves anyway; restart the silo to try again.")]
    private static partial void LogNoKubernetesService(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo ready: cluster {ClusterId}, gateway {Address}:{GatewayPort}, storage {Storage}")]
    private static partial void LogReady(ILogger logger, string clusterId, string address, int gatewayPort, string storage);
}
