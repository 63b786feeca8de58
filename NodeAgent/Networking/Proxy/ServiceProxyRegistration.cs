using System.Net;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>Registers the userspace service proxy and its loop; it reads Services from the registered <see cref="IServiceCatalog"/>.</summary>
public static class ServiceProxyRegistration
{
    public static IServiceCollection AddServiceProxy(this IServiceCollection services, AgentSettings settings)
    {
        if (!IPAddress.TryParse(settings.NodeIp, out var nodeIp))
            throw new ArgumentException($"--node-ip \"{settings.NodeIp}\" is not an IP address; node ports listen on the node address.");
        var node = new ProxyNode(settings.EffectiveNodeName, [nodeIp], string.IsNullOrWhiteSpace(settings.ServiceInterface) ? null : settings.ServiceInterface);
        var options = new ServiceProxyOptions { UdpIdleTimeout = settings.ServiceUdpIdleTimeout };
        services.AddSingleton<IServiceProxy>(sp => new SocketProxy(
            sp.GetRequiredService<IServiceCatalog>(), node.Name, options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SocketProxy>>()));
        services.AddHostedService(sp => new ServiceProxyService(
            sp.GetRequiredService<IServiceCatalog>(),
            sp.GetRequiredService<IServiceProxy>(),
            node,
            node.ServiceInterface is { } name ? new ServiceInterface(name, sp.GetRequiredService<ILogger<ServiceInterface>>()) : null,
            sp.GetRequiredService<ILogger<ServiceProxyService>>()));
        return services;
    }
}
