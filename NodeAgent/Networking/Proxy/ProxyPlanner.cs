using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Granary.Model;
using Granary.NodeAgent.Networking.Services;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// Decides, without doing anything, what the service proxy should listen on and where each listener sends traffic.
/// <see cref="Plan"/> turns the cluster's Services into listeners; <see cref="Backends"/> turns a Service's
/// EndpointSlices into the addresses one listener may use. A kernel backend (nftables) would realize the same plan.
/// </summary>
public static class ProxyPlanner
{
    /// <summary>kube-proxy's default for sessionAffinity ClientIP: three hours.</summary>
    public static readonly TimeSpan DefaultAffinityTimeout = TimeSpan.FromSeconds(10800);

    public const string ClientIPAffinity = "ClientIP";
    public const string LocalTrafficPolicy = "Local";

    public static ProxyPlan Plan(ServiceTable services, ProxyNode node)
    {
        var listeners = ImmutableArray.CreateBuilder<ProxyListener>();
        var taken = new HashSet<ListenerAddress>();
        var interfaceAddresses = ImmutableArray.CreateBuilder<IPAddress>();
        var unreachable = ImmutableArray.CreateBuilder<UnreachableService>();

        foreach (var (key, service) in services.ByKey.OrderBy(p => p.Key.Namespace, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal))
        {
            var spec = service.Spec;
            var type = spec.Type ?? ServiceTypes.ClusterIP;
            if (type == ServiceTypes.ExternalName || !HasClusterIP(spec))
                continue;

            var clusterIP = ClusterAddress(spec.ClusterIP!);
            if (clusterIP is null)
                unreachable.Add(new UnreachableService(key, spec.ClusterIP!, "it is not an IPv4 address; the proxy serves IPv4 only"));
            else if (!IPAddress.IsLoopback(clusterIP) && node.ServiceInterface is null && !node.KernelNat)
            {
                unreachable.Add(new UnreachableService(key, spec.ClusterIP!,
                    "only loopback (127.0.0.0/8) cluster IPs are served without a service interface; start the agent with --service-interface NAME (e.g. granary-svc0) or give the silo a loopback --service-cidr"));
                clusterIP = null;
            }
            else if (!IPAddress.IsLoopback(clusterIP) && node.ServiceInterface is not null)
                interfaceAddresses.Add(clusterIP);

            var affinity = spec.SessionAffinity == ClientIPAffinity
                ? spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds is { } seconds and > 0 ? TimeSpan.FromSeconds(seconds) : DefaultAffinityTimeout
                : (TimeSpan?)null;
            var hasNodePorts = type is ServiceTypes.NodePort or ServiceTypes.LoadBalancer;

            foreach (var port in spec.Ports ?? [])
            {
                if (ProtocolOf(port.Protocol) is not { } protocol)
                    continue;
                var name = port.Name ?? "";
                if (clusterIP is not null && port.Port is > 0 and <= 65535)
                    Add(new ProxyListener(new ListenerAddress(new IPEndPoint(clusterIP, port.Port), protocol), ListenerRole.ClusterIP, key, name,
                        port.TargetPort, spec.InternalTrafficPolicy == LocalTrafficPolicy, affinity));
                if (hasNodePorts && port.NodePort is > 0 and <= 65535)
                    foreach (var address in node.Addresses)
                        Add(new ProxyListener(new ListenerAddress(new IPEndPoint(address, port.NodePort.Value), protocol), ListenerRole.NodePort, key, name,
                            port.TargetPort, spec.ExternalTrafficPolicy == LocalTrafficPolicy, affinity));
                // As k3s' servicelb: the node addresses are the load balancer's ingress, answering on the service port.
                if (type == ServiceTypes.LoadBalancer && port.Port is > 0 and <= 65535)
                    foreach (var address in node.Addresses)
                        Add(new ProxyListener(new ListenerAddress(new IPEndPoint(address, port.Port), protocol), ListenerRole.NodePort, key, name,
                            port.TargetPort, spec.ExternalTrafficPolicy == LocalTrafficPolicy, affinity));
            }
        }
        return new ProxyPlan(listeners.ToImmutable(), [.. interfaceAddresses.Distinct()], unreachable.ToImmutable());

        // The first service (in key order) to claim an address keeps it; the allocator never hands one out twice.
        void Add(ProxyListener listener)
        {
            if (taken.Add(listener.Address))
                listeners.Add(listener);
        }
    }

    /// <summary>
    /// The addresses <paramref name="listener"/> may send to, as kube-proxy picks them: ready endpoints (conditions.ready
    /// not false), or when none is ready the serving endpoints that are terminating; with a Local traffic policy only
    /// those on <paramref name="nodeName"/>. The port is the slice's port of the same name and protocol as the service
    /// port (the endpoint controller resolved a named targetPort into it); a slice without ports (hand-written) uses a
    /// numeric targetPort.
    /// </summary>
    public static ImmutableArray<IPEndPoint> Backends(ProxyListener listener, ServiceEndpoints endpoints, string nodeName)
    {
        var ready = new List<IPEndPoint>();
        var terminating = new List<IPEndPoint>();
        foreach (var slice in endpoints.Slices)
        {
            if (slice.AddressType != "IPv4" || PortOf(listener, slice) is not { } port)
                continue;
            foreach (var endpoint in slice.Endpoints)
            {
                if (listener.LocalEndpointsOnly && endpoint.NodeName != nodeName)
                    continue;
                var conditions = endpoint.Conditions;
                var into = conditions?.Ready != false ? ready
                    : conditions.Serving == true && conditions.Terminating == true ? terminating
                    : null;
                if (into is null)
                    continue;
                foreach (var text in endpoint.Addresses)
                    if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
                        into.Add(new IPEndPoint(address, port));
            }
        }
        return [.. (ready.Count > 0 ? ready : terminating).Distinct()];
    }

    private static int? PortOf(ProxyListener listener, EndpointSlice slice)
    {
        if (slice.Ports is not { Count: > 0 } ports)
            return listener.TargetPort?.IntValue;
        foreach (var port in ports)
            if ((port.Name ?? "") == listener.PortName && ProtocolOf(port.Protocol) == listener.Address.Protocol && port.Port is > 0 and <= 65535)
                return port.Port;
        return null;
    }

    private static bool HasClusterIP(ServiceSpec spec) =>
        !string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIP != Service.ClusterIPNone;

    private static IPAddress? ClusterAddress(string text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork ? address : null;

    private static ProxyProtocol? ProtocolOf(string? protocol) => protocol switch
    {
        null or "" or "TCP" => ProxyProtocol.Tcp,
        "UDP" => ProxyProtocol.Udp,
        _ => null,
    };
}
