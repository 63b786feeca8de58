using Granary.Model;

namespace Granary.Grains.Services;

/// <summary>
/// A LoadBalancer service's status as k3s' servicelb gives it: every Ready node's InternalIP is an ingress address,
/// and traffic reaches the service through the node ports each node's proxy listens on.
/// </summary>
public static class ServiceLoadBalancer
{
    /// <summary>The status for <paramref name="nodes"/>: Ready nodes not being deleted, their InternalIPs in order.</summary>
    public static ServiceStatus StatusFor(IEnumerable<Node> nodes) => new()
    {
        LoadBalancer = new LoadBalancerStatus
        {
            Ingress = [.. nodes
                .Where(n => n.Metadata.DeletionTimestamp is null
                    && n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
                .SelectMany(n => n.Status!.Addresses ?? [])
                .Where(a => a.Type == "InternalIP" && a.Address.Length > 0)
                .Select(a => a.Address)
                .Distinct()
                .Order(StringComparer.Ordinal)
                .Select(ip => new LoadBalancerIngress { Ip = ip, IpMode = "VIP" })],
        },
    };
}
