using System.Collections.Immutable;
using System.Net;
using Granary.Api;
using Granary.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Granary.Client;

/// <summary>
/// A connection to a Granary cluster, as an Orleans client. Typed clients per kind, label selectors,
/// and watches as <see cref="IAsyncEnumerable{T}"/> that resume without losing events.
/// <code>
/// await using var client = await GranaryClient.ConnectAsync(new GranaryClientOptions { Redis = "127.0.0.1:6379" });
/// var pods = await client.Pods.ListAsync(new ListOptions { Namespace = "default", LabelSelector = "app=web" });
/// </code>
/// </summary>
public sealed class GranaryClient : IAsyncDisposable
{
    private readonly IHost? _host;
    private readonly IClusterClient _cluster;
    private readonly Security.ClientTlsIdentity? _identity;

    private GranaryClient(IHost host, Security.ClientTlsIdentity? identity) : this(host.Services.GetRequiredService<IClusterClient>())
    {
        _host = host;
        _identity = identity;
    }

    /// <summary>Wraps a cluster client the caller owns (in-silo tools and tests); disposing does not stop it.</summary>
    public GranaryClient(IClusterClient cluster)
    {
        _cluster = cluster;
        Pods = new ResourceClient<Pod>(_cluster);
        Nodes = new ResourceClient<Node>(_cluster);
        Namespaces = new ResourceClient<Namespace>(_cluster);
        Services = new ResourceClient<Service>(_cluster);
        Endpoints = new ResourceClient<Endpoints>(_cluster);
        EndpointSlices = new ResourceClient<EndpointSlice>(_cluster);
        Events = new ResourceClient<Event>(_cluster);
        ReplicaSets = new ResourceClient<ReplicaSet>(_cluster);
        Deployments = new ResourceClient<Deployment>(_cluster);
        PersistentVolumeClaims = new ResourceClient<PersistentVolumeClaim>(_cluster);
        PersistentVolumes = new ResourceClient<PersistentVolume>(_cluster);
        StorageClasses = new ResourceClient<StorageClass>(_cluster);
        ConfigMaps = new ResourceClient<ConfigMap>(_cluster);
        Secrets = new ResourceClient<Secret>(_cluster);
        ServiceAccounts = new ResourceClient<ServiceAccount>(_cluster);
        ControllerRevisions = new ResourceClient<ControllerRevision>(_cluster);
        Jobs = new ResourceClient<Job>(_cluster);
        CronJobs = new ResourceClient<CronJob>(_cluster);
        HorizontalPodAutoscalers = new ResourceClient<HorizontalPodAutoscaler>(_cluster);
        PodDisruptionBudgets = new ResourceClient<PodDisruptionBudget>(_cluster);
        DaemonSets = new ResourceClient<DaemonSet>(_cluster);
        StatefulSets = new ResourceClient<StatefulSet>(_cluster);
        Roles = new ResourceClient<Granary.Model.Role>(_cluster);
        ClusterRoles = new ResourceClient<ClusterRole>(_cluster);
        RoleBindings = new ResourceClient<RoleBinding>(_cluster);
        ClusterRoleBindings = new ResourceClient<ClusterRoleBinding>(_cluster);
    }

    public ResourceClient<Granary.Model.Role> Roles { get; }

    public ResourceClient<ClusterRole> ClusterRoles { get; }

    public ResourceClient<RoleBinding> RoleBindings { get; }

    public ResourceClient<ClusterRoleBinding> ClusterRoleBindings { get; }

    public ResourceClient<Pod> Pods { get; }

    public ResourceClient<Node> Nodes { get; }

    public ResourceClient<Namespace> Namespaces { get; }

    public ResourceClient<Service> Services { get; }

    public ResourceClient<Endpoints> Endpoints { get; }

    public ResourceClient<EndpointSlice> EndpointSlices { get; }

    public ResourceClient<Event> Events { get; }

    public ResourceClient<ReplicaSet> ReplicaSets { get; }

    public ResourceClient<Deployment> Deployments { get; }

    public ResourceClient<PersistentVolumeClaim> PersistentVolumeClaims { get; }

    public ResourceClient<PersistentVolume> PersistentVolumes { get; }

    public ResourceClient<StorageClass> StorageClasses { get; }

    public ResourceClient<ConfigMap> ConfigMaps { get; }

    public ResourceClient<Secret> Secrets { get; }
    public ResourceClient<ServiceAccount> ServiceAccounts { get; }

    public ResourceClient<ControllerRevision> ControllerRevisions { get; }

    public ResourceClient<Job> Jobs { get; }

    public ResourceClient<CronJob> CronJobs { get; }

    public ResourceClient<HorizontalPodAutoscaler> HorizontalPodAutoscalers { get; }
    public ResourceClient<PodDisruptionBudget> PodDisruptionBudgets { get; }

    /// <summary>
    /// Evicts a pod through the eviction API, as <c>kubectl drain</c> does: deleted with <paramref name="options"/> unless
    /// that would break its PodDisruptionBudget. Throws TooManyRequestsException when the budget allows no disruption
    /// now (retry later), NotFoundException when the pod is gone.
    /// </summary>
    public Task EvictAsync(string @namespace, string name, DeleteOptions? options = null, bool dryRun = false) =>
        _cluster.GetGrain<IEvictionGrain>(0).EvictAsync(@namespace, name, options ?? DeleteOptions.Default, dryRun);
    public ResourceClient<DaemonSet> DaemonSets { get; }

    public ResourceClient<StatefulSet> StatefulSets { get; }

    /// <summary>The Orleans grain factory, for custom controllers that call grains directly.</summary>
    public IGrainFactory Grains => _cluster;

    /// <summary>The Orleans client itself, for hosts that share one connection among many agents (hollow nodes).</summary>
    public IClusterClient Cluster => _cluster;

    public IResourceClient For(ResourceKind kind) => kind.Kind switch
    {
        "Pod" => Pods,
        "Node" => Nodes,
        "Namespace" => Namespaces,
        "Service" => Services,
        "Endpoints" => Endpoints,
        "EndpointSlice" => EndpointSlices,
        "Event" => Events,
        "ReplicaSet" => ReplicaSets,
        "Deployment" => Deployments,
        "PersistentVolumeClaim" => PersistentVolumeClaims,
        "PersistentVolume" => PersistentVolumes,
        "StorageClass" => StorageClasses,
        "ConfigMap" => ConfigMaps,
        "Secret" => Secrets,
        "ServiceAccount" => ServiceAccounts,
        "ControllerRevision" => ControllerRevisions,
        "Job" => Jobs,
        "CronJob" => CronJobs,
        "HorizontalPodAutoscaler" => HorizontalPodAutoscalers,
        "PodDisruptionBudget" => PodDisruptionBudgets,
        "DaemonSet" => DaemonSets,
        "StatefulSet" => StatefulSets,
        "Role" => Roles,
        "ClusterRole" => ClusterRoles,
        "RoleBinding" => RoleBindings,
        "ClusterRoleBinding" => ClusterRoleBindings,
        _ => throw new ArgumentException($"kind {kind.Kind} is not served", nameof(kind)),
    };

    /// <summary>Connects, retrying until <see cref="GranaryClientOptions.ConnectTimeout"/>; then fails with a message saying what to fix.</summary>
    public static async Task<GranaryClient> ConnectAsync(GranaryClientOptions options, CancellationToken ct = default)
    {
        var identity = Security.ClientTlsIdentity.From(options);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            if (identity is not null)
            {
                client.UseTls(identity.Configure);
                // Every call carries the caller proof; the silos authorize it as the certificate's user.
                client.AddOutgoingGrainCallFilter(context =>
                {
                    RequestContext.Set(Granary.Certificates.CallerProof.RequestContextKey, identity.Proof);
                    return context.Invoke();
                });
            }
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ClusterId;
            });
            // Dead gateways are dropped at once; new ones are found within seconds.
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            if (options.Redis is not null)
            {
                var redis = ConfigurationOptions.Parse(options.Redis);
                redis.AbortOnConnectFail = false;
                client.UseRedisClustering(o => o.ConfigurationOptions = redis);
            }
            else
            {
                client.UseStaticClustering([.. (options.Gateways.Count > 0 ? options.Gateways : [GranaryClientOptions.LocalGateway]).Select(ParseEndpoint)]);
            }
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), token);
                return !token.IsCancellationRequested;
            });
        });

        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
            return new GranaryClient(host, identity);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is OperationCanceledException or OrleansException or SiloUnavailableException or RedisException)
        {
            host.Dispose();
            var tls = identity is null
                ? " A production cluster needs mutual TLS: --cluster-ca, --tls-certificate and --tls-key (GRANARY_CLUSTER_CA, GRANARY_TLS_CERTIFICATE, GRANARY_TLS_KEY)."
                : $" With mutual TLS, check that the gateways' certificates are from the cluster CA {options.ClusterCa ?? "given"} and that the silos trust \"{identity.Certificate.Subject}\" (made by granary certs from the same CA).";
            identity?.Dispose();
            throw new GranaryConnectException(
                $"could not reach the Granary cluster at {options.Describe()} within {options.ConnectTimeout.TotalSeconds:0}s. " +
                "Start a silo (dotnet run --project Silo), or point at yours with --gateway HOST:PORT / --redis HOST:PORT (GRANARY_GATEWAY / GRANARY_REDIS)." + tls, e);
        }
        catch
        {
            host.Dispose();
            identity?.Dispose();
            throw;
        }
    }

    /// <summary>The silos that are members of the cluster, and object counts per kind.</summary>
    public async Task<ClusterStatus> GetClusterStatusAsync(CancellationToken ct = default)
    {
        var hosts = await _cluster.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true, CancellationToken.None).WaitAsync(ct);
        var silos = hosts
            .OrderBy(h => h.SiloAddress.ToString(), StringComparer.Ordinal)
            .Select(h => new SiloInfo(h.SiloAddress.Endpoint.ToString(), h.SiloName, h.Status.ToString(), h.StartTime))
            .ToImmutableArray();
        var objects = await _cluster.GetGrain<IListWatchGrain>(0).GetStatsAsync().WaitAsync(ct);
        return new ClusterStatus(silos, objects);
    }

    private static IPEndPoint ParseEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port))
            throw new GranaryConnectException($"gateway \"{endpoint}\" is not HOST:PORT (e.g. 127.0.0.1:30000)");
        var host = endpoint[..colon];
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return new IPEndPoint(address, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is null)
            return;
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _host.Dispose();
            _identity?.Dispose();
        }
    }
}
