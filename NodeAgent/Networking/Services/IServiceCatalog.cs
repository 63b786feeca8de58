using System.Collections.Immutable;
using Granary.Model;

namespace Granary.NodeAgent.Networking.Services;

/// <summary>
/// What the agent knows of the cluster's Services, for its service proxy, its DNS server and its pods' service
/// environment variables. Every Service is known (they change rarely); the endpoints of a Service are read the first
/// time this node needs them (a connection to it, a DNS question about it) and then followed while they are in use,
/// so an endpoint change reaches only the nodes that use the Service (see "Service networking" in
/// docs/architecture.md). What is known stays in use while the control plane is unreachable.
/// </summary>
public interface IServiceCatalog
{
    /// <summary>Every Service as last seen; empty (with <see cref="ServiceTable.Synced"/> false) until the first list.</summary>
    ServiceTable Services { get; }

    /// <summary>Raised after <see cref="Services"/> changed, with the new table (on a background thread; keep handlers short).</summary>
    event Action<ServiceTable>? ServicesChanged;

    /// <summary>
    /// The endpoints of a Service (all its EndpointSlices): from memory when followed, else one read from the
    /// control plane, after which the Service is followed until it has not been asked about for a while. Throws
    /// <see cref="ServiceCatalogUnavailableException"/> when they are not known and the control plane cannot be reached.
    /// </summary>
    ValueTask<ServiceEndpoints> GetEndpointsAsync(ServiceKey service, CancellationToken ct);

    /// <summary>Raised after the endpoints of a followed Service changed (a slice added, changed or deleted).</summary>
    event Action<ServiceEndpoints>? EndpointsChanged;
}

/// <summary>A Service's namespace and name.</summary>
public readonly record struct ServiceKey(string Namespace, string Name)
{
    public static ServiceKey Of(Service service) => new(service.Metadata.Namespace ?? "default", service.Metadata.Name ?? "");

    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>Every Service of the cluster at one revision, with the lookups the proxy and DNS need.</summary>
public sealed record ServiceTable(bool Synced, string ResourceVersion, ImmutableDictionary<ServiceKey, Service> ByKey)
{
    public static readonly ServiceTable Empty = new(false, "0", ImmutableDictionary<ServiceKey, Service>.Empty);

    /// <summary>The Services of a namespace (for the service environment variables), in name order.</summary>
    public IEnumerable<Service> InNamespace(string @namespace) =>
        ByKey.Where(p => p.Key.Namespace == @namespace).OrderBy(p => p.Key.Name, StringComparer.Ordinal).Select(p => p.Value);

    public Service? Find(ServiceKey key) => ByKey.GetValueOrDefault(key);
}

/// <summary>The EndpointSlices of one Service as last seen (labelled kubernetes.io/service-name=NAME in its namespace).</summary>
public sealed record ServiceEndpoints(ServiceKey Service, ImmutableArray<EndpointSlice> Slices)
{
    /// <summary>Every endpoint of every slice, with the slice's ports.</summary>
    public IEnumerable<(SliceEndpoint Endpoint, ImmutableList<SlicePort> Ports)> All() =>
        Slices.SelectMany(s => s.Endpoints.Select(e => (e, s.Ports ?? [])));
}

/// <summary>The endpoints of a Service are not known here and the control plane cannot be reached to read them.</summary>
public sealed class ServiceCatalogUnavailableException(ServiceKey service, string reason)
    : Exception($"the endpoints of service {service} are not known on this node and the control plane cannot be reached: {reason}");
