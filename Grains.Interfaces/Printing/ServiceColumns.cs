using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing;

/// <summary>The computed cells of services and endpoints, as kube-apiserver's printers compute them (printers.go).</summary>
public static class ServiceColumns
{
    /// <summary>How many addresses formatEndpoints lists before "+ N more...".</summary>
    public const int MaxListedEndpoints = 3;

    /// <summary>makePortString: "80/TCP", or "80:30080/TCP" with a node port, comma-separated.</summary>
    public static string Ports(IEnumerable<ServicePort>? ports) =>
        string.Join(",", (ports ?? []).Select(p => p.NodePort is > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{p.Port}:{p.NodePort}/{p.Protocol}")
            : string.Create(CultureInfo.InvariantCulture, $"{p.Port}/{p.Protocol}")));

    /// <summary>getServiceExternalIP, wide (the server prints wide): external IPs, load balancer ingress, or the ExternalName.</summary>
    public static string ExternalIP(Service service)
    {
        var externalIPs = service.Spec.ExternalIPs ?? [];
        switch (service.Spec.Type)
        {
            case ServiceTypes.ClusterIP:
            case ServiceTypes.NodePort:
                return externalIPs.Count > 0 ? string.Join(",", externalIPs) : "<none>";
            case ServiceTypes.LoadBalancer:
                var ingress = (service.Status?.LoadBalancer?.Ingress ?? [])
                    .Select(i => !string.IsNullOrEmpty(i.Ip) ? i.Ip : i.Hostname)
                    .OfType<string>()
                    .Where(s => s.Length > 0)
                    .Distinct()
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (externalIPs.Count > 0)
                    return string.Join(",", ingress.Concat(externalIPs));
                return ingress.Count > 0 ? string.Join(",", ingress) : "<pending>";
            case ServiceTypes.ExternalName:
                return service.Spec.ExternalName ?? "";
            default:
                return "<unknown>";
        }
    }

    /// <summary>labels.FormatLabels: "k=v,k2=v2" sorted by key, or "&lt;none&gt;".</summary>
    public static string Selector(ImmutableSortedDictionary<string, string>? selector) =>
        selector is { Count: > 0 } ? string.Join(",", selector.Select(s => $"{s.Key}={s.Value}")) : "<none>";

    /// <summary>
    /// formatEndpoints: "ip:port" for each address and port (bare IPs for subsets without ports), at most three, then
    /// "+ N more..."; "&lt;none&gt;" without subsets. Only ready addresses count. <paramref name="portNames"/> limits the
    /// ports to those names (describe's per-port line); null takes every port.
    /// </summary>
    public static string Endpoints(Endpoints endpoints, IReadOnlySet<string>? portNames = null)
    {
        if (endpoints.Subsets is not { Count: > 0 } subsets)
            return "<none>";
        var list = new List<string>();
        var count = 0;
        var more = false;
        foreach (var subset in subsets)
        {
            var addresses = subset.Addresses ?? [];
            if (subset.Ports is not { Count: > 0 } ports)
            {
                count += addresses.Count;
                foreach (var address in addresses)
                {
                    if (list.Count == MaxListedEndpoints)
                    {
                        more = true;
                        break;
                    }
                    list.Add(address.Ip);
                }
                continue;
            }
            foreach (var port in ports)
            {
                if (portNames is not null && !portNames.Contains(port.Name ?? ""))
                    continue;
                count += addresses.Count;
                foreach (var address in addresses)
                {
                    if (list.Count == MaxListedEndpoints)
                    {
                        more = true;
                        break;
                    }
                    list.Add(HostPort(address.Ip, port.Port));
                }
            }
        }
        var joined = string.Join(",", list);
        return more ? string.Create(CultureInfo.InvariantCulture, $"{joined} + {count - MaxListedEndpoints} more...") : joined;
    }

    /// <summary>formatDiscoveryPorts: up to three port numbers (the name when there is none, else "*"), or "&lt;unset&gt;".</summary>
    public static string SlicePorts(IEnumerable<SlicePort>? ports) =>
        ListWithMore([.. (ports ?? []).Select(p => p.Port?.ToString(CultureInfo.InvariantCulture) ?? p.Name ?? "*")]);

    /// <summary>formatDiscoveryEndpoints: up to three addresses, or "&lt;unset&gt;".</summary>
    public static string SliceEndpoints(IEnumerable<SliceEndpoint>? endpoints) =>
        ListWithMore([.. (endpoints ?? []).SelectMany(e => e.Addresses)]);

    private static string ListWithMore(IReadOnlyList<string> items)
    {
        var listed = string.Join(",", items.Take(MaxListedEndpoints));
        if (items.Count > MaxListedEndpoints)
            return string.Create(CultureInfo.InvariantCulture, $"{listed} + {items.Count - MaxListedEndpoints} more...");
        return listed.Length == 0 ? "<unset>" : listed;
    }

    // net.JoinHostPort: IPv6 addresses in brackets.
    private static string HostPort(string ip, int port) =>
        ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{port}" : string.Create(CultureInfo.InvariantCulture, $"{ip}:{port}");
}
