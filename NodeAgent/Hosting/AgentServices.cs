using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Networking;
using Granary.NodeAgent.Networking.Proxy;
using Granary.NodeAgent.Networking.Dns;
using Granary.NodeAgent.Networking.Services;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Pods.Sync;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Server;
using Granary.NodeAgent.Server.PodProxy;
using Granary.NodeAgent.Server.Certificates;
using Granary.NodeAgent.Storage;
using Granary.NodeAgent.Systemd;
using Granary.NodeAgent.Volumes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Hosting;

/// <summary>Registers the agent's parts in a host: its own process, or a dev silo that embeds one.</summary>
public static class AgentServices
{
    public static IServiceCollection AddGranaryAgent(this IServiceCollection services, AgentSettings settings,
        IContainerRuntime runtime, Func<IServiceProvider, IControlPlaneConnector> connector)
    {
        services.AddSingleton(Options.Create(settings));
        services.TryAddSingleton(TimeProvider.System);
        // Every runtime call is timed for kubelet_runtime_operations_duration_seconds.
        services.AddMetrics();
        services.AddSingleton<Observability.KubeletMetrics>();
        services.AddHostedService<Observability.KubeletMetricsFeed>();
        services.AddSingleton<IContainerRuntime>(sp => new Observability.InstrumentedRuntime(runtime, sp.GetRequiredService<Observability.KubeletMetrics>()));
        services.AddSingleton<IAgentServerModule, Observability.AgentMetricsModule>();
        services.AddSingleton(new NodeIdentity(settings.EffectiveNodeName, settings.NodeIp));
        services.AddSingleton(sp => connector(sp));
        services.AddSingleton(_ => PodNetworks.Create(settings.PodNetwork, settings.NodeIp, settings.PodCidr));
        services.AddSingleton<DesiredPods>();
        services.AddSingleton<ContainerAccess>();
        services.AddSingleton<ControlPlaneRefusals>();
        services.AddSingleton<AgentObserver>();
        services.AddSingleton<NodeDescriber>();
        services.AddSingleton<AgentHealth>();
        services.AddSingleton<StartupGate>();
        services.TryAddSingleton(sp => new SdNotifier(sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SdNotifier>>()));
        services.AddSingleton<AgentReadiness>();
        services.AddSingleton<ProbeManager>();
        // The agent's server starts before the link registers the node, so the Node names a port that answers.
        services.AddSingleton<AgentServerEndpoint>();
        // Its TLS identity from the cluster CA, obtained once the node is registered and renewed while it runs.
        services.AddSingleton<ServingCredentials>();
        services.AddSingleton<AgentServer>();
        services.AddSingleton<Server.PortForward.PodAddresses>();
        services.AddSingleton<IAgentServerModule, Server.PortForward.PortForwardModule>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentServer>());
        // pods/proxy and services/proxy: the silo forwards to this node's pods through its server.
        services.AddHttpForwarder();
        services.AddSingleton<LocalPodAddresses>();
        services.AddSingleton<IAgentServerModule, PodProxyModule>();
        services.AddSingleton<IAgentServerModule, Server.Exec.ContainerStreamsModule>();
        services.AddSingleton<ControlPlaneLink>();
        services.AddHostedService(sp => sp.GetRequiredService<ControlPlaneLink>());
        services.AddSingleton<IControlPlaneSession>(sp => sp.GetRequiredService<ControlPlaneLink>());
        // What the proxy, DNS and the service environment variables know of Services and the endpoints in use.
        services.AddSingleton(sp => new EndpointInterest(sp.GetRequiredService<TimeProvider>(), EndpointInterest.DefaultIdleAfter));
        services.AddSingleton<ServiceCatalog>();
        services.AddSingleton<IServiceCatalog>(sp => sp.GetRequiredService<ServiceCatalog>());
        services.AddHostedService(sp => sp.GetRequiredService<ServiceCatalog>());
        services.AddHostedService<ServingCertificateRotation>();
        services.AddSingleton<LocalPathVolumes>();
        services.AddHostedService<LocalPathCleanup>();
        // The agent's own event pipeline, through the Node grain (in a dev silo, apart from the silo's own).
        services.AddSingleton<AgentEventSink>();
        services.AddSingleton<PodEvents>();
        services.AddSingleton<PodStatusReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<PodStatusReporter>());
        services.AddHostedService<Granary.NodeAgent.Metrics.UsageReporter>();
        // ConfigMaps and Secrets of the node's pods, and the pods' volumes.
        services.AddSingleton<IPodConfigReader, NodeAgentConfigReader>();
        services.AddSingleton<PodConfigCache>();
        services.AddSingleton<IPodConfigLookup>(sp => sp.GetRequiredService<PodConfigCache>());
        services.AddSingleton(sp => new PodVolumeDirectories(settings.StateDir, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<PodVolumeDirectories>>()));
        services.AddSingleton<IClaimPaths>(sp => sp.GetRequiredService<LocalPathVolumes>());
        services.AddSingleton<IServiceAccountTokens, ServiceAccountTokenManager>();
        services.AddSingleton<VolumeManager>();
        services.AddSingleton<PodRecords>();
        services.AddSingleton<LifecycleHooks>();
        services.AddSingleton<TerminationMessages>();
        services.AddSingleton<ContainerStopper>();
        services.AddSingleton<PodTerminator>();
        services.AddSingleton<PodSyncExecutor>();
        services.AddSingleton<PodSync>();
        services.AddSingleton<OrphanCollector>();
        // The cluster DNS starts before the pod loop, so the first pods already get it in their resolv.conf.
        services.AddClusterDns(settings);
        services.AddSingleton<PodSyncLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<PodSyncLoop>());
        services.AddHostedService<WatchdogService>();
        // The service proxy (kube-proxy's job): cluster IPs and node ports of the Services known to IServiceCatalog.
        services.AddServiceProxy(settings);
        return services;
    }
}
