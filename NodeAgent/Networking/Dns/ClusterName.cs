using System.Net;
using ARSoft.Tools.Net;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// What a name inside the cluster domain asks for, by its shape (Kubernetes' DNS specification,
/// github.com/kubernetes/dns/blob/master/docs/specification.md). A name of no known shape is <see cref="UnknownName"/>.
/// </summary>
public abstract record ClusterName;

/// <summary>The domain itself, <c>svc.DOMAIN</c>, <c>pod.DOMAIN</c>: names that exist and hold no address.</summary>
public sealed record ZoneName : ClusterName;

/// <summary><c>NS.svc.DOMAIN</c>: exists when the namespace has a Service.</summary>
public sealed record NamespaceName(string Namespace) : ClusterName;

/// <summary><c>NAME.NS.svc.DOMAIN</c>.</summary>
public sealed record ServiceName(string Namespace, string Service) : ClusterName;

/// <summary><c>_PORT._PROTO.NAME.NS.svc.DOMAIN</c>: a named port of a Service (SRV).</summary>
public sealed record ServicePortName(string Namespace, string Service, string Port, string Protocol) : ClusterName;

/// <summary><c>HOSTNAME.NAME.NS.svc.DOMAIN</c>: one endpoint of a headless Service, by its hostname or dashed address.</summary>
public sealed record EndpointName(string Namespace, string Service, string Endpoint) : ClusterName;

/// <summary><c>A-B-C-D.NS.pod.DOMAIN</c>: a pod by its dashed address (CoreDNS' "pods insecure": not checked against pods).</summary>
public sealed record PodName(string Namespace, IPAddress Address) : ClusterName;

/// <summary>A name in the domain of no known shape: NXDOMAIN.</summary>
public sealed record UnknownName : ClusterName;

/// <summary>Reads a question's name against the cluster domain. Pure.</summary>
public static class ClusterNames
{
    /// <summary>The name's meaning in <paramref name="zone"/>, or null when it is outside the zone (to be forwarded).</summary>
    public static ClusterName? Parse(DomainName name, DomainName zone)
    {
        if (!name.IsEqualOrSubDomainOf(zone))
            return null;
        // Labels left of the zone, rightmost first: [svc, NS, NAME, …].
        var labels = name.Labels.Take(name.LabelCount - zone.LabelCount).Select(l => l.ToLowerInvariant()).Reverse().ToArray();
        return labels switch
        {
            [] or ["svc"] or ["pod"] => new ZoneName(),
            ["svc", var ns] => new NamespaceName(ns),
            ["svc", var ns, var service] => new ServiceName(ns, service),
            ["svc", var ns, var service, var endpoint] when !endpoint.StartsWith('_') => new EndpointName(ns, service, endpoint),
            ["svc", var ns, var service, var protocol, var port] when protocol.StartsWith('_') && port.StartsWith('_') =>
                new ServicePortName(ns, service, port[1..], protocol[1..]),
            ["pod", var ns, var dashed] when DashedAddress(dashed) is { } address => new PodName(ns, address),
            _ => new UnknownName(),
        };
    }

    /// <summary>"10-1-2-3" as 10.1.2.3 (IPv6: "fd00--1" as fd00::1); null when the label is no address.</summary>
    public static IPAddress? DashedAddress(string label)
    {
        if (IPAddress.TryParse(label.Replace('-', '.'), out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && label.Count(c => c == '-') == 3)
            return v4;
        return label.Contains("--", StringComparison.Ordinal) || label.Count(c => c == '-') == 7
            ? IPAddress.TryParse(label.Replace('-', ':'), out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? v6 : null
            : null;
    }

    /// <summary>An address as a DNS label: 10.1.2.3 → "10-1-2-3", fd00::1 → "fd00--1".</summary>
    public static string Dashed(IPAddress address) =>
        address.ToString().Replace('.', '-').Replace(':', '-');
}
