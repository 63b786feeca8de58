using System.Net;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Networking.Proxy.Nftables;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// Registers the service proxy of the chosen --proxy-mode and its loop; it reads Services from the registered
/// <see cref="IServiceCatalog"/>. The nftables mode proves here, at start, that it can program the kernel.
/// </summary>
public static class ServiceProxyRegistration
{
    public static IServiceCollection AddServiceProxy(this IServiceCollection services, AgentSettings settings)
    {
        if (!IPAddress.TryParse(settings.NodeIp, out var nodeIp))
            throw new ArgumentException($"--node-ip \"{settings.NodeIp}\" is not an IP address; node ports listen on the node address.");
        var mode = ProxyModes.Parse(settings.ProxyMode);
        var node = new ProxyNode(settings.EffectiveNodeName, [nodeIp], string.IsNullOrWhiteSpace(settings.ServiceInterface) ? null : settings.ServiceInterface,
            KernelNat: mode == ProxyMode.Nftables);
        if (mode == ProxyMode.Nftables)
            AddNftablesProxy(services, node, IPAddress.IsLoopback(nodeIp));
        else
        {
            var options = new ServiceProxyOptions { UdpIdleTimeout = settings.ServiceUdpIdleTimeout };
            services.AddSingleton<IServiceProxy>(sp => new SocketProxy(
                sp.GetRequiredService<IServiceCatalog>(), node.Name, options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SocketProxy>>()));
        }
        services.AddHostedService(sp => new ServiceProxyService(
            sp.GetRequiredService<IServiceCatalog>(),
            sp.GetRequiredService<IServiceProxy>(),
            node,
            node.ServiceInterface is { } name ? new ServiceInterface(name, sp.GetRequiredService<ILogger<ServiceInterface>>()) : null,
            sp.GetRequiredService<ILogger<ServiceProxyService>>()));
        return services;
    }

    /// <summary>Throws <see cref="NftablesException"/> (saying how to fix it) when nft is missing or not permitted.</summary>
    private static void AddNftablesProxy(IServiceCollection services, ProxyNode node, bool loopbackNode)
    {
        var nft = new NftProgram();
        var table = NftablesRuleset.TableName(node.Name);
        nft.Probe(table);
        if (!loopbackNode)
            RouteLocalnet.Enable();
        services.AddSingleton<IServiceProxy>(sp => new NftablesProxy(
            sp.GetRequiredService<IServiceCatalog>(), node.Name, table, guardLocalnet: !loopbackNode, nft, sp.GetRequiredService<ILogger<NftablesProxy>>()));
    }
}
