using System.Collections.Concurrent;
using System.Globalization;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Silo.Api.Proxy;

/// <summary>
/// services/proxy: a ready endpoint of the Service named by <c>[scheme:]name[:port]</c>, taken in turn (round robin
/// per Service and port) from its EndpointSlices. As kube-apiserver: a port number is first turned into the
/// Service port's name, the endpoint port is the slice port of that name, and only endpoints that are pods (whose
/// address is the pod's) are proxied, through the agent of the pod's node. None ready: 503 "no endpoints available".
/// </summary>
internal sealed class ServiceProxyResolver(IGrainFactory grains)
{
    private const string ServiceNameLabel = "kubernetes.io/service-name";
    private readonly ConcurrentDictionary<string, int> _turns = new(StringComparer.Ordinal);

    public async Task<ProxyDestination> ResolveAsync(string @namespace, string id)
    {
        var target = ProxyTargetId.Parse(id)
            ?? throw new BadRequestException($"invalid service request \"{id}\": expected [scheme:]name[:port], the scheme http or https");
        var service = (Service)await ResourceGrains.GetAsync(grains, ResourceKinds.Service, ResourceKinds.Service.KeyOf(@namespace, target.Name));
        var portName = PortName(service, target);
        var slices = await grains.GetGrain<IListWatchGrain>(0).ListAsync(new ListRequest
        {
            Kind = ResourceKinds.EndpointSlice,
            Namespace = @namespace,
            LabelSelector = $"{ServiceNameLabel}={target.Name}",
        });
        var candidates = Candidates(slices.Items.OfType<EndpointSlice>(), portName);
        if (candidates.Count > 0)
        {
            var first = _turns.AddOrUpdate($"{@namespace}/{target.Name}:{portName}", 0, (_, turn) => unchecked(turn + 1));
            for (var i = 0; i < candidates.Count; i++)
            {
                var (address, port, pod) = candidates[(int)((uint)(first + i) % (uint)candidates.Count)];
                if (await PodAtAsync(pod.Namespace ?? @namespace, pod.Name!, address) is { } backing)
                    return PodProxyResolver.Reachable(backing, target.Scheme, port);
            }
        }
        throw new ServiceUnavailableException($"no endpoints available for service \"{target.Name}\"");
    }

    /// <summary>
    /// The endpoint ports' name for the requested port: a number names the Service port with that number (none:
    /// a 503, as kube-apiserver); a name is taken as it is; no port means the unnamed one (a single-port Service).
    /// </summary>
    public static string PortName(Service service, ProxyTargetId target)
    {
        if (!int.TryParse(target.Port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return target.Port;
        return service.Spec.Ports?.FirstOrDefault(p => p.Port == number) is { } declared
            ? declared.Name ?? ""
            : throw new ServiceUnavailableException($"no service port {number} found for service \"{target.Name}\"");
    }

    /// <summary>Every ready pod endpoint that has the port, in a stable order (slice name, then address).</summary>
    public static List<(string Address, int Port, ObjectReference Pod)> Candidates(IEnumerable<EndpointSlice> slices, string portName) =>
    [
        .. from slice in slices.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal)
           let port = (slice.Ports ?? []).FirstOrDefault(p => (p.Name ?? "") == portName)?.Port
           where port is > 0
           from endpoint in slice.Endpoints
           where endpoint.Conditions?.Ready != false && endpoint.TargetRef is { Kind: "Pod", Name: not null }
           from address in endpoint.Addresses.Take(1)
           select (address, port!.Value, endpoint.TargetRef!),
    ];

    /// <summary>The pod behind an endpoint, when it still has that address (kube-apiserver's isValidAddress).</summary>
    private async Task<Pod?> PodAtAsync(string @namespace, string name, string address)
    {
        try
        {
            var pod = (Pod)await ResourceGrains.GetAsync(grains, ResourceKinds.Pod, ResourceKinds.Pod.KeyOf(@namespace, name));
            return pod.Status?.PodIP == address || (pod.Status?.PodIPs ?? []).Any(ip => ip.Ip == address) ? pod : null;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }
}
