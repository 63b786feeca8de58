using Granary.Client;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Hosting;

/// <summary>Builds and runs the agent's host. Wiring only.</summary>
public static class AgentProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (args.Contains(ProxyCleanupCommand.Flag))
            return ProxyCleanupCommand.Run(args);
        var unknown = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0])
            .FirstOrDefault(a => !AgentSettings.SwitchMappings.ContainsKey(a) && !a.Contains(':', StringComparison.Ordinal));
        if (unknown is not null)
        {
            Console.Error.WriteLine($"error: unknown flag {unknown}\n{Usage}");
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "Granary.NodeAgent" });
        builder.Configuration.AddEnvironmentVariables("GRANARY_");
        builder.Configuration.AddCommandLine(args, AgentSettings.SwitchMappings);
        var settings = builder.Configuration.Get<AgentSettings>() ?? new AgentSettings();
        HostLogging.Configure(builder.Logging);

        if (settings.HollowNodes > 0)
            return await Hollow.HollowNodeProgram.RunAsync(settings, ClientOptions(settings));

        using var loggers = LoggerFactory.Create(HostLogging.Configure);
        var log = loggers.CreateLogger("Granary.NodeAgent");
        Runtime.IContainerRuntime runtime;
        try
        {
            runtime = await RuntimeSelector.SelectAsync(settings, loggers, processFallback: false, CancellationToken.None);
        }
        catch (InvalidOperationException e)
        {
            log.LogCritical("The agent cannot run pods: {Reason}", e.Message);
            return 1;
        }

        var clientOptions = ClientOptions(settings);
        try
        {
            builder.Services.AddGranaryAgent(settings, runtime, _ => new RemoteControlPlane(clientOptions));
            // /metrics on the agent's server, as the kubelet serves it on its port.
            builder.Services.AddGranaryMetrics(KubeletMetrics.MeterName);
        }
        catch (ArgumentException e)
        {
            // A flag the agent cannot read (e.g. --dns-upstream); the message names it and says what to write.
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Networking.Proxy.Nftables.NftablesException e)
        {
            // --proxy-mode nftables without the nft program or the permission to use it.
            log.LogCritical("The service proxy cannot program nftables: {Reason}", e.Message);
            return 1;
        }
        log.LogInformation("Agent for node {Node}: driver {Driver}, pod network {Network}, control plane {ControlPlane}",
            settings.EffectiveNodeName, runtime.Name, settings.PodNetwork, clientOptions.Describe());

        using var host = builder.Build();
        await host.RunAsync();
        return 0;
    }

    private static GranaryClientOptions ClientOptions(AgentSettings settings) => new()
    {
        Redis = string.IsNullOrWhiteSpace(settings.Redis) ? null : settings.Redis,
        Gateways = string.IsNullOrWhiteSpace(settings.Gateway) ? [] : settings.Gateway.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        ClusterId = settings.ClusterId,
        ClusterCa = string.IsNullOrWhiteSpace(settings.ClusterCa) ? null : settings.ClusterCa,
        TlsCertificate = string.IsNullOrWhiteSpace(settings.TlsCertificate) ? null : settings.TlsCertificate,
        TlsKey = string.IsNullOrWhiteSpace(settings.TlsKey) ? null : settings.TlsKey,
    };

    public const string Usage = """
        Usage: Granary.NodeAgent [--redis HOST:PORT | --gateway HOST:PORT[,HOST:PORT]] [--node-name NAME] [--node-ip ADDRESS]
                                 [--docker-host unix:///PATH] [--driver docker|process|simulated] [--labels k=v,...] [--taints k=v:Effect,...]

          --redis HOST:PORT        find the cluster's gateways in Redis
          --gateway HOST:PORT      connect to these gateways (default: the local dev silo, 127.0.0.1:30000)
          --cluster-id ID          the cluster's id (default granary)
          --cluster-ca PATH        the cluster CA (PEM); with --tls-certificate and --tls-key: mutual TLS to the gateways,
          --tls-certificate PATH   which a production cluster requires (granary certs node NAME --dir DIR makes them)
          --tls-key PATH
          --node-name NAME         this node's name (default: the host name)
          --node-ip ADDRESS        this node's address (InternalIP; default 127.0.0.1)
          --docker-host URI        the Docker engine (default unix:///var/run/docker.sock)
          --driver NAME            docker (default when an engine answers), process (host processes), simulated (scale tests)
          --enable-process-driver true   allow the process driver (no isolation, like Nomad's raw_exec)
          --labels k=v,...         node labels to register
          --taints k=v:Effect,...  node taints to register
          --pod-network NAME       loopback (each pod its own 127.x address; default), host, or bridge
          --pod-cidr CIDR          the loopback block for pod addresses (default 127.1.1.0/24)
          --state-dir PATH         the agent's own state (default /var/lib/granary/agent)
          --max-pods N             pods this node accepts (default 110)
          --local-path-root PATH   where local-path claims keep their data (default /var/lib/granary/storage)
          --reserved-cpu Q / --reserved-memory Q   kept back from pods (allocatable = capacity - reserved)
          --service-interface NAME a dummy interface (e.g. granary-svc0) for non-loopback cluster IPs (needs root);
                                   without it only loopback cluster IPs (a 127.x --service-cidr) are served
          --proxy-mode MODE        the service proxy: relay (userspace, default) or nftables (kernel NAT rules in the
                                   table ip granary-NODE; needs the nft program and root)
          --cleanup                remove this node's nftables table (kept across restarts) and exit
          --dns-port N             the cluster DNS server's port on the node address (default 53; pods can only use 53)
          --cluster-domain NAME    the cluster's DNS domain (default cluster.local)
          --dns-upstream IP[:PORT],...   where other names are forwarded (default: the nameservers of --resolv-conf)
          --resolv-conf PATH       the host's resolver file, for dnsPolicy Default and search domains (default /etc/resolv.conf)
          --hollow-nodes N         run N hollow nodes in this process instead (density benchmarks): the agent's control-plane
                                   link, pod sync and status reports with the simulated runtime, one shared cluster client;
                                   node i is named PREFIX+i (5 digits), at 127.3.x.y with pods from a /24 of 127.64.0.0/10
          --hollow-prefix PREFIX   the hollow nodes' name prefix (default hollow-)
          --hollow-first I         the first hollow node's index (default 0), so several processes split the nodes

        The same settings come from appsettings.json or GRANARY_* environment variables (GRANARY_NODENAME, GRANARY_REDIS, ...).
        """;
}
