using System.Collections.Immutable;
using System.Net;
using Granary.Model;
using Granary.NodeAgent.Networking.Services;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>The transport a service port carries (SCTP is not proxied).</summary>
public enum ProxyProtocol
{
    Tcp,
    Udp,
}

/// <summary>How a client reached the service: its cluster IP, or a node port (NodePort and LoadBalancer services).</summary>
public enum ListenerRole
{
    ClusterIP,
    NodePort,
}

/// <summary>Where a listener accepts: an address, a port and a transport. Two listeners never share one.</summary>
public readonly record struct ListenerAddress(IPEndPoint EndPoint, ProxyProtocol Protocol)
{
    public override string ToString() => $"{EndPoint}/{Protocol.ToString().ToUpperInvariant()}";
}

/// <summary>
/// One desired listener: traffic to <see cref="Address"/> goes to the endpoints of one port of one service.
/// <see cref="PortName"/> is the service port's name ("" when unnamed), which is how an EndpointSlice names the
/// port's number on each endpoint; <see cref="TargetPort"/> is used only when the slices carry no such port.
/// </summary>
public sealed record ProxyListener(
    ListenerAddress Address,
    ListenerRole Role,
    ServiceKey Service,
    string PortName,
    IntOrString? TargetPort,
    bool LocalEndpointsOnly,
    TimeSpan? AffinityTimeout)
{
    public override string ToString() => $"{Service}:{(PortName.Length == 0 ? Address.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) : PortName)} on {Address}";
}

/// <summary>A service whose cluster IP this node does not answer on, and why (logged once per service).</summary>
public sealed record UnreachableService(ServiceKey Service, string ClusterIP, string Reason);

/// <summary>
/// What the proxy should be doing: its listeners, the cluster IPs the service interface must carry (empty without
/// one) and the services it cannot serve on their cluster IP.
/// </summary>
public sealed record ProxyPlan(
    ImmutableArray<ProxyListener> Listeners,
    ImmutableArray<IPAddress> InterfaceAddresses,
    ImmutableArray<UnreachableService> Unreachable)
{
    public static readonly ProxyPlan Empty = new([], [], []);
}

/// <summary>
/// This node as the planner sees it: its name (for traffic policy Local) and the addresses node ports listen on.
/// <see cref="KernelNat"/>: the proxy rewrites destinations in the kernel (nftables mode), so a cluster IP needs no
/// local address to be served and any IPv4 cluster IP is planned without a service interface.
/// </summary>
public sealed record ProxyNode(string Name, ImmutableArray<IPAddress> Addresses, string? ServiceInterface, bool KernelNat = false);
