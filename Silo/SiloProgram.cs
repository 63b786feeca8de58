using System.Net;
using Granary.NodeAgent.Hosting;
using Granary.Grains.Caching;
using Granary.Grains.Hosting;
using Granary.Grains.Services;
using Granary.Grains.Storage;
using Granary.Silo.Api;
using Granary.Silo.Redis;
using Granary.Silo.Security;
using Granary.Silo.Systemd;

namespace Granary.Silo;

/// <summary>Builds and runs the silo host. Wiring only: the decisions live in the grains and their services.</summary>
public static class SiloProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (UnknownFlag(args) is { } unknown)
        {
            Console.Error.WriteLine($"error: unknown flag {unknown}\n{Usage}");
            return 2;
        }

        // One host for the silo and its HTTP API (Kestrel), so API requests call grains in-process.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Granary.Silo" });
        builder.Configuration.AddEnvironmentVariables("GRANARY_");
        builder.Configuration.AddCommandLine(SiloSettings.ExpandBareFlags(args), SiloSettings.SwitchMappings);
        var settings = builder.Configuration.Get<SiloSettings>() ?? new SiloSettings();
        if (MallocArenas.Limit(builder.Configuration) is { } arenaError)
        {
            Console.Error.WriteLine($"error: {arenaError}\n{Usage}");
            return 2;
        }
        if (GcHeapLimit.Apply(builder.Configuration) is { } heapLimitError)
        {
            Console.Error.WriteLine($"error: {heapLimitError}\n{Usage}");
            return 2;
        }
        if (!IPAddress.TryParse(settings.ApiAddress, out var apiAddress))
        {
            Console.Error.WriteLine($"error: --api-address {settings.ApiAddress} is not an IP address\n{Usage}");
            return 2;
        }

        if (!DurationSetting.TryParse(settings.EventTtl, out var eventTtl) || eventTtl <= TimeSpan.Zero)
        {
            Console.Error.WriteLine($"error: --event-ttl {settings.EventTtl} is not a positive duration (e.g. 1h, 30m, 90s)\n{Usage}");
            return 2;
        }

        var (lifecycle, lifecycleProblem) = settings.NodeLifecycle();
        if (lifecycle is null)
        {
            Console.Error.WriteLine($"error: {lifecycleProblem}\n{Usage}");
            return 2;
        }

        if (Api.Limits.RequestLimits.Read(builder.Configuration).Problem() is { } limitsProblem)
        {
            Console.Error.WriteLine($"error: {limitsProblem}\n{Usage}");
            return 2;
        }

        ApiSecurity security;
        try
        {
            security = ApiSecurity.Resolve(settings, apiAddress, TimeProvider.System);
        }
        catch (ApiSecurityException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }

        OrleansTls? orleansTls;
        try
        {
            // Owned by the using declaration right after this try (ownedOrleansTls).
#pragma warning disable CA2000
            orleansTls = OrleansTls.Resolve(settings);
#pragma warning restore CA2000
        }
        catch (ApiSecurityException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        using var ownedOrleansTls = orleansTls;
        if (!settings.DevMode && orleansTls is null)
            Console.Error.WriteLine(
                "WARNING: --orleans-tls=false: the silo and gateway ports are plain TCP without authentication. Anyone who can reach them " +
                "can read and change every object and run any pod on any node as root. Use this only on a network no one else can reach.");

        if (await RedisStartupChecks.RunAsync(settings, Usage) is { } redisRefused)
            return redisRefused;

        var serviceNetwork = new ServiceNetworkOptions { ServiceCidr = settings.EffectiveServiceCidr, NodePortRange = settings.ServiceNodePortRange };
        try
        {
            serviceNetwork.Parse();
            var origin = string.IsNullOrWhiteSpace(settings.ServiceCidr) ? settings.DevMode ? "dev default; loopback, served without a service interface" : "default" : "--service-cidr";
            Console.WriteLine($"service CIDR {serviceNetwork.ServiceCidr} ({origin})");
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
            return 2;
        }

        var serviceAccounts = ServiceAccountTokens.Options(settings, out var serviceAccountProblem);
        if (serviceAccounts is null)
        {
            Console.Error.WriteLine($"error: {serviceAccountProblem}\n{Usage}");
            return 2;
        }

        HostLogging.Configure(builder.Logging);
        ServiceAccountTokens.Add(builder.Services, serviceAccounts, security);
        builder.Services.Configure<ServiceNetworkOptions>(o => (o.ServiceCidr, o.NodePortRange) = (serviceNetwork.ServiceCidr, serviceNetwork.NodePortRange));
        builder.Services.Configure<StoreOptions>(o => o.KeyPrefix = settings.ClusterId);
        builder.Services.Configure<StoreOptions>(builder.Configuration.GetSection("Store"));
        // systemd's notify protocol (READY=1, WATCHDOG=1, STOPPING=1); idle when not run by systemd.
        builder.Services.AddSiloSystemd();
        builder.UseOrleans(silo => OrleansSetup.Configure(silo, settings, builder.Configuration, orleansTls));
        builder.Services.AddGranaryWatchCache();
        builder.Services.Configure<WatchCacheOptions>(builder.Configuration.GetSection("WatchCache"));
        builder.Services.AddGranaryEvents();
        builder.Services.Configure<Granary.Grains.Events.EventOptions>(o => o.Ttl = eventTtl);
        builder.Services.Configure<Granary.Grains.Events.EventOptions>(builder.Configuration.GetSection("Events"));
        builder.Services.Configure<Granary.Grains.Nodes.NodeLifecycleOptions>(o =>
        {
            o.GracePeriod = lifecycle.GracePeriod;
            o.MonitorPeriod = lifecycle.MonitorPeriod;
            o.DefaultNotReadyTolerationSeconds = lifecycle.DefaultNotReadyTolerationSeconds;
            o.DefaultUnreachableTolerationSeconds = lifecycle.DefaultUnreachableTolerationSeconds;
            o.EvictionRate = lifecycle.EvictionRate;
            o.UnhealthyZoneThreshold = lifecycle.UnhealthyZoneThreshold;
        });
        if (settings.DevMode)
            builder.Services.AddGranaryInMemoryStore();
        else
            builder.Services.AddGranaryRedisStore();
        builder.Services.AddHostedService<SiloStartup>();
        // How this silo dials node agents' servers for the streams of their pods.
        builder.Services.AddSingleton<Granary.Silo.Streams.AgentClientCredentials>();
        builder.Services.AddSingleton<Granary.Silo.Streams.AgentDialer>();
        builder.AddKubeApi(settings, apiAddress, security);
        // /metrics (OpenTelemetry, Prometheus format) and the optional Orleans Dashboard.
        if (Observability.SiloObservability.Add(builder, settings) is { } observabilityProblem)
        {
            Console.Error.WriteLine($"error: {observabilityProblem}\n{Usage}");
            return 2;
        }
        if (settings.DevMode && settings.EmbeddedAgent)
        {
            using var loggers = LoggerFactory.Create(HostLogging.Configure);
            try
            {
                await EmbeddedAgent.AddAsync(builder.Services, builder.Configuration, loggers);
            }
            catch (InvalidOperationException e)
            {
                loggers.CreateLogger("Granary.Silo").LogCritical("The embedded node agent cannot run: {Reason}", e.Message);
                return 1;
            }
        }

        await using var host = builder.Build();
        host.MapKubeApi();
        try
        {
            await host.RunAsync();
            return 0;
        }
        catch (OperationCanceledException)
        {
            // Stopped (SIGTERM, Ctrl-C) before start-up finished: not a crash.
            Console.Error.WriteLine("Silo stopped before it finished starting.");
            return 1;
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisConnectionException or OrleansException or System.Net.Sockets.SocketException or IOException)
        {
            host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Granary.Silo")
                .LogCritical("The silo could not start: {Reason}", e.Message);
            return 1;
        }
    }

    private static string? UnknownFlag(string[] args) =>
        args.Where(a => a.StartsWith("--", StringComparison.Ordinal))
            .Select(a => a.Split('=')[0])
            .FirstOrDefault(a => !SiloSettings.SwitchMappings.ContainsKey(a) && !a.Contains(':', StringComparison.Ordinal));

    public const string Usage = """
        Usage: Granary.Silo [--redis HOST:PORT[,OPTIONS]] [--redis-ca PATH] [--redis-without-aof] [--silo-port N] [--gateway-port N] [--cluster-id ID] [--address IP]
                            [--api-port N] [--api-address IP] [--kubeconfig PATH] [--api-tls B]
                            [--api-certificate PATH --api-certificate-key PATH [--api-certificate-ca PATH]]
                            [--token-auth-file PATH] [--service-account-issuer URL] [--api-audiences A,B]
                            [--service-account-signing-key-file PATH] [--service-account-key-file PATH]
                            [--service-account-max-token-expiration D] [--service-cidr CIDR] [--service-node-port-range LOW-HIGH] [--event-ttl D]
                            [--node-monitor-grace-period D] [--node-monitor-period D] [--default-not-ready-toleration-seconds N]
                            [--default-unreachable-toleration-seconds N] [--node-eviction-rate R] [--unhealthy-zone-threshold F]
                            [--max-request-body-bytes N] [--max-requests-inflight N] [--max-mutating-requests-inflight N]
                            [--max-requests-inflight-per-user N] [--max-masters-requests-inflight N]
                            [--dashboard-port N [--dashboard-address IP]]

          (no --redis)        embedded dev mode: one silo, localhost clustering, in-memory state (not persisted)
          --redis HOST:PORT   Redis clustering, grain storage, reminders and object store (state persists)
          --redis-ca PATH     the CA (PEM) that issued the Redis server's certificate; turns TLS on (or ssl=true in --redis)
          --redis-client-certificate PATH, --redis-client-key PATH
                              a client certificate and key (PEM) for a Redis with tls-auth-clients
          --redis-without-aof start on a Redis without an append-only file (appendonly no), accepting that a Redis
                              restart loses acknowledged writes; without it such a silo refuses to start
                              (--redis takes StackExchange.Redis options: HOST:PORT,password=S,user=U,ssl=true,
                              serviceName=NAME for Sentinel, with the sentinels as the endpoints)
          --silo-port N       silo-to-silo port (default 11111)
          --gateway-port N    client gateway port (default 30000)
          --cluster-id ID     cluster name; silos and clients with the same id and Redis form one cluster (default granary)
          --cluster-ca PATH, --tls-certificate PATH, --tls-key PATH
                              production (--redis): mutual TLS on the silo and gateway ports; the cluster CA, and this silo's
                              certificate and key (granary certs ca / granary certs silo NAME --dir DIR make them)
          --cluster-ca-key PATH  the cluster CA's key: the agents' serving certificates are then signed by the same CA
          --orleans-tls=false production without TLS on the Orleans ports: unauthenticated, for closed test networks only
          --address IP        address advertised to other silos and clients (default 127.0.0.1)
          --api-port N        Kubernetes API port (default 6440 in dev mode, 6443 with --redis)
          --api-address IP    address the Kubernetes API listens on (default 127.0.0.1)
          --kubeconfig PATH   where to write a kubeconfig for the API (default ~/.granary/kubeconfig)
          --event-ttl D       how long events live after their last write (default 1h; e.g. 30m, 90s)
          --node-monitor-grace-period D
                              how long a node's lease may go unrenewed before it is Unknown and tainted unreachable
                              (default 10s; also the longest lease an agent may hold)
          --node-monitor-period D
                              how soon node lifecycle looks again after acting (default 1s)
          --default-not-ready-toleration-seconds N, --default-unreachable-toleration-seconds N
                              how long pods that set no such toleration stay on a not-ready or unreachable node before
                              they are evicted (default 15 each)
          --node-eviction-rate R
                              nodes per second, per zone, tainted for eviction (default 0.1: one every 10 s, the first at once)
          --unhealthy-zone-threshold F
                              share of not-ready nodes (3 or more) at which a zone's nodes are no longer tainted for
                              eviction (default 0.55); with no ready node in any zone, nothing is evicted
          --api-tls B         true: HTTPS with bearer tokens (the default, dev mode included); false: plain HTTP
                              without authentication (ServiceAccount tokens are then neither checked nor usable in pods)
          --api-certificate PATH, --api-certificate-key PATH
                              the API's serving certificate and key (PEM); without them a CA and a certificate are
                              generated once in the kubeconfig's folder (tls/) and reused
          --api-certificate-ca PATH
                              the CA that issued --api-certificate, written to the kubeconfig so kubectl verifies it
          --token-auth-file PATH
                              bearer tokens, kube-apiserver's format: token,user,uid[,"group1,group2"]; without it an
                              admin token is generated once in the kubeconfig's folder (tokens.csv)
          --service-account-issuer URL
                              the iss of ServiceAccount tokens (default https://kubernetes.default.svc.cluster.local)
          --api-audiences A,B audiences the API accepts in tokens (default: the issuer)
          --service-account-signing-key-file PATH
                              private key (PEM, RSA or EC P-256) that signs ServiceAccount tokens; give every silo the
                              same file. Without it a key is generated once and kept in grain storage (Redis)
          --service-account-key-file PATH
                              a further public key (PEM) whose tokens are accepted, e.g. the previous one while rotating
          --service-account-max-token-expiration D
                              the longest lifetime a token is given (default: as asked, e.g. kubectl create token --duration)
          --service-cidr CIDR cluster IPs of services (default 10.43.0.0/16, dev mode 127.43.0.0/16; the first is the kubernetes service's)
          --service-node-port-range LOW-HIGH
                              node ports of NodePort and LoadBalancer services (default 30000-32767)
          --max-request-body-bytes N
                              the largest request body the API accepts (default 3145728, as kube-apiserver); larger is 413
          --max-requests-inflight N, --max-mutating-requests-inflight N
                              non-mutating and mutating requests served at once for all users but system:masters
                              (default 400 and 200, as kube-apiserver; 0: no limit); more are 429 with Retry-After
          --dashboard-port N  serve the Orleans Dashboard (grains, silos, calls) on this port; off unless given. It has no
                              authentication of its own: anyone who reaches the port sees the cluster's internals
          --dashboard-address IP
                              the address the dashboard listens on (default 127.0.0.1)
          --max-requests-inflight-per-user N
                              requests one such user may have in flight (default 100; 0: no limit)
          --max-masters-requests-inflight N
                              requests system:masters may have in flight, a pool of their own (default 400; 0: no limit)
          --embedded-agent B  dev mode: run a node agent for this machine in the silo (default true); its
                              settings are the agent's under "Agent", e.g. --Agent:DockerHost=unix:///PATH
          --Section:Key=V     any other setting, e.g. --Membership:ProbeTimeout=00:00:05

        The same settings come from appsettings.json or GRANARY_* environment variables (GRANARY_REDIS, GRANARY_SILOPORT, GRANARY_APIPORT,
        GRANARY_APITLS, GRANARY_APICERTIFICATE, GRANARY_TOKENAUTHFILE, ...).
        """;
}
