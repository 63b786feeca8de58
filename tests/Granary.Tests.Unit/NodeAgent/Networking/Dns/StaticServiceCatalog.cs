using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Networking.Services;

namespace Granary.Tests.Unit.NodeAgent.Networking.Dns;

/// <summary>A service catalog of fixed Services and EndpointSlices, counting the endpoint reads it is asked for.</summary>
internal sealed class StaticServiceCatalog(IEnumerable<Service> services, IEnumerable<EndpointSlice> slices, bool synced = true) : IServiceCatalog
{
    private readonly ImmutableArray<EndpointSlice> _slices = [.. slices];

    public ServiceTable Services { get; } = new(synced, "1", services.ToImmutableDictionary(ServiceKey.Of));

    public int EndpointReads { get; private set; }

    public bool Unreachable { get; init; }

    public event Action<ServiceTable>? ServicesChanged { add { } remove { } }

    public event Action<ServiceEndpoints>? EndpointsChanged { add { } remove { } }

    public ValueTask<ServiceEndpoints> GetEndpointsAsync(ServiceKey service, CancellationToken ct)
    {
        EndpointReads++;
        if (Unreachable)
            throw new ServiceCatalogUnavailableException(service, "connection refused");
        return ValueTask.FromResult(EndpointsOf(service));
    }

    public ServiceEndpoints EndpointsOf(ServiceKey service) => new(service, [.. _slices.Where(s =>
        s.Metadata.Namespace == service.Namespace && s.Metadata.Labels?.GetValueOrDefault(EndpointSlice.ServiceNameLabel) == service.Name)]);
}

/// <summary>Services and slices as the control plane writes them, for DNS tests.</summary>
internal static class DnsObjects
{
    public static Service ClusterIp(string name, string ip, params ServicePort[] ports) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new ServiceSpec { Type = ServiceTypes.ClusterIP, ClusterIP = ip, ClusterIPs = [ip], Ports = [.. ports] },
    };

    public static Service Headless(string name, params ServicePort[] ports) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new ServiceSpec { Type = ServiceTypes.ClusterIP, ClusterIP = Service.ClusterIPNone, ClusterIPs = [Service.ClusterIPNone], Ports = [.. ports] },
    };

    public static Service External(string name, string target) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new ServiceSpec { Type = ServiceTypes.ExternalName, ExternalName = target },
    };

    public static ServicePort Port(string name, int port, string protocol = "TCP") => new() { Name = name, Port = port, Protocol = protocol };

    public static EndpointSlice Slice(string service, IEnumerable<SlicePort> ports, params SliceEndpoint[] endpoints) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = service + "-abcde", Namespace = "default",
            Labels = ImmutableSortedDictionary<string, string>.Empty.Add(EndpointSlice.ServiceNameLabel, service),
        },
        Endpoints = [.. endpoints],
        Ports = [.. ports],
    };

    public static SliceEndpoint Endpoint(string ip, bool ready = true, string? hostname = null) => new()
    {
        Addresses = [ip], Conditions = new EndpointConditions { Ready = ready }, Hostname = hostname,
    };
}
