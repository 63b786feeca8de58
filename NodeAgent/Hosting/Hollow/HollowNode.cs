using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Networking.Services;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Pods.Sync;
using Granary.NodeAgent.Runtime.Simulated;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Hosting.Hollow;

/// <summary>
/// One hollow node: the agent's own parts (<see cref="AgentServices.AddGranaryAgent"/>) in a service provider of
/// its own, with the simulated runtime, its own name, address, pod block and lease. Of the agent's loops it runs the
/// ones that make it a node to the control plane: the control-plane link (registration, lease, observer, resyncs),
/// the Service catalog (the kubelet's Service informer, which containers' environment waits for), the pod sync loop
/// and the status reporter. Left out, because they would cost a socket or a certificate per node and serve nothing
/// a density run asks of them: the agent's HTTPS server (logs, exec, port-forward; the Node says port 0), the cluster
/// DNS server, the service proxy, serving-certificate rotation, the local-path cleanup and the systemd watchdog.
/// </summary>
public sealed class HollowNode : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IHostedService[] _loops;

    public HollowNode(AgentSettings settings, IControlPlaneConnector connector, ILoggerFactory loggers, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton(loggers);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(time);
        services.AddGranaryAgent(settings, new SimulatedRuntime(time), _ => connector);
        _services = services.BuildServiceProvider();
        Link = _services.GetRequiredService<ControlPlaneLink>();
        _loops =
        [
            Link,
            _services.GetRequiredService<ServiceCatalog>(),
            _services.GetRequiredService<PodStatusReporter>(),
            _services.GetRequiredService<PodSyncLoop>(),
        ];
        Name = settings.EffectiveNodeName;
    }

    public string Name { get; }

    /// <summary>The node's link: <see cref="ControlPlaneLink.Connections"/> &gt; 0 once it registered and synced.</summary>
    public ControlPlaneLink Link { get; }

    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var loop in _loops)
            await loop.StartAsync(ct);
    }

    /// <summary>Stops the loops in reverse order, as a host does; the pods' simulated containers go with the node.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        foreach (var loop in _loops.Reverse())
            await loop.StopAsync(ct);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
