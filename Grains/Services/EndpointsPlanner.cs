using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Services;

/// <summary>
/// What a service's Endpoints should be, given the pods its selector matches: the endpoints controller's rules
/// (pkg/controller/endpoint), pure. Ready pods are addresses, pods not ready yet are notReadyAddresses (or addresses
/// when the service publishes not-ready ones), terminal, deleting and address-less pods are left out, and named
/// target ports are resolved from each pod's container ports. Addresses with the same ports share one subset.
/// </summary>
public static class EndpointsPlanner
{
    /// <summary>The label kube puts on the Endpoints of a headless service.</summary>
    public const string HeadlessLabel = "service.kubernetes.io/headless";

    public static Endpoints Plan(Service service, IEnumerable<Pod> pods)
    {
        var publishNotReady = service.Spec.PublishNotReadyAddresses == true;
        var headless = service.Spec.ClusterIP == Service.ClusterIPNone;
        var ports = service.Spec.Ports ?? [];
        // Per address: its ports, and whether it is ready.
        var entries = new List<(EndpointAddress Address, bool Ready, ImmutableList<EndpointPort> Ports)>();
        foreach (var pod in pods)
        {
            if (!Eligible(pod, publishNotReady))
                continue;
            var address = new EndpointAddress
            {
                Ip = pod.Status!.PodIP!,
                Hostname = HostnameFor(pod, service),
                NodeName = pod.Spec.NodeName,
                TargetRef = new ObjectReference { Kind = "Pod", Namespace = pod.Metadata.Namespace, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            };
            var ready = publishNotReady || IsReady(pod);
            if (ports.Count == 0)
            {
                // Headless services without ports list bare addresses.
                if (headless)
                    entries.Add((address, ready, ImmutableList<EndpointPort>.Empty));
                continue;
            }
            var resolved = ports
                .Select(p => FindPort(pod, p) is { } number ? new EndpointPort { Name = p.Name, Port = number, Protocol = p.Protocol, AppProtocol = p.AppProtocol } : null)
                .OfType<EndpointPort>()
                .ToImmutableList();
            if (resolved.Count > 0)
                entries.Add((address, ready, resolved));
        }

        var subsets = entries
            .GroupBy(e => PortsKey(e.Ports))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new EndpointSubset
            {
                Addresses = NullIfEmpty(g.Where(e => e.Ready).Select(e => e.Address)),
                NotReadyAddresses = NullIfEmpty(g.Where(e => !e.Ready).Select(e => e.Address)),
                Ports = g.First().Ports.IsEmpty ? null : g.First().Ports.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name)),
            })
            .ToImmutableList();

        var labels = service.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty;
        if (headless)
            labels = labels.SetItem(HeadlessLabel, "");
        return new Endpoints
        {
            Metadata = new ObjectMeta
            {
                Name = service.Metadata.Name,
                Namespace = service.Metadata.Namespace,
                Labels = labels.IsEmpty ? null : labels,
            },
            Subsets = subsets.IsEmpty ? null : subsets,
        };
    }

    /// <summary>The port a pod serves a service port on: the number itself, or the container port of that name and protocol.</summary>
    public static int? FindPort(Pod pod, ServicePort port)
    {
        var target = port.TargetPort ?? port.Port;
        if (target.IntValue is { } number)
            return number;
        var protocol = port.Protocol ?? "TCP";
        return (pod.Spec.Containers ?? [])
            .SelectMany(c => c.Ports ?? [])
            .FirstOrDefault(p => p.Name == target.StringValue && (p.Protocol ?? "TCP") == protocol)?.Number;
    }

    /// <summary>
    /// The endpoint's hostname, which gives the pod its DNS name HOSTNAME.SERVICE.NS.svc.DOMAIN: the pod's
    /// spec.hostname when its spec.subdomain names this service (endpointutil.ShouldSetHostname).
    /// </summary>
    public static string? HostnameFor(Pod pod, Service service) =>
        !string.IsNullOrEmpty(pod.Spec.Hostname) && pod.Spec.Subdomain == service.Metadata.Name && pod.Metadata.Namespace == service.Metadata.Namespace
            ? pod.Spec.Hostname
            : null;

    public static bool IsReady(Pod pod) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True";

    // As ShouldPodBeInEndpoints: not finished, has an address, and not being deleted (unless not-ready ones are published).
    private static bool Eligible(Pod pod, bool publishNotReady) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed")
        && !string.IsNullOrEmpty(pod.Status?.PodIP)
        && (publishNotReady || pod.Metadata.DeletionTimestamp is null);

    private static string PortsKey(ImmutableList<EndpointPort> ports) =>
        string.Join(",", ports.Select(p => $"{p.Name}/{p.Port}/{p.Protocol}/{p.AppProtocol}").Order(StringComparer.Ordinal));

    private static ImmutableList<EndpointAddress>? NullIfEmpty(IEnumerable<EndpointAddress> addresses)
    {
        var list = addresses.OrderBy(a => a.Ip, StringComparer.Ordinal).ThenBy(a => a.TargetRef?.Uid, StringComparer.Ordinal).ToImmutableList();
        return list.IsEmpty ? null : list;
    }
}
