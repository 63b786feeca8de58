using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Networking.Services;

namespace Granary.Bench;

/// <summary>A service catalog that knows fixed endpoints: the proxy benchmark needs no control plane.</summary>
internal sealed class StaticCatalog(ImmutableDictionary<ServiceKey, ServiceEndpoints> endpoints) : IServiceCatalog
{
    public ServiceTable Services => ServiceTable.Empty;

    public event Action<ServiceTable>? ServicesChanged
    {
        add { }
        remove { }
    }

    public event Action<ServiceEndpoints>? EndpointsChanged
    {
        add { }
        remove { }
    }

    public ValueTask<ServiceEndpoints> GetEndpointsAsync(ServiceKey service, CancellationToken ct) =>
        ValueTask.FromResult(endpoints.GetValueOrDefault(service) ?? new ServiceEndpoints(service, ImmutableArray<EndpointSlice>.Empty));
}
