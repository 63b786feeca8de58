using System.Collections.Concurrent;
using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Networking.Services;

namespace Granary.Tests.Unit.NodeAgent.Networking.Proxy;

/// <summary>A catalog whose Services and endpoints the test sets; it counts the reads of endpoints.</summary>
internal sealed class StaticServiceCatalog : IServiceCatalog
{
    private readonly ConcurrentDictionary<ServiceKey, ServiceEndpoints> _endpoints = new();

    public ServiceTable Services { get; private set; } = ServiceTable.Empty;

    public event Action<ServiceTable>? ServicesChanged;

    public event Action<ServiceEndpoints>? EndpointsChanged;

    public void SetServices(params Service[] services)
    {
        Services = new ServiceTable(true, "1", services.ToImmutableDictionary(ServiceKey.Of, s => s));
        ServicesChanged?.Invoke(Services);
    }

    public void SetEndpoints(ServiceEndpoints endpoints)
    {
        _endpoints[endpoints.Service] = endpoints;
        EndpointsChanged?.Invoke(endpoints);
    }

    public ValueTask<ServiceEndpoints> GetEndpointsAsync(ServiceKey service, CancellationToken ct) =>
        ValueTask.FromResult(_endpoints.GetValueOrDefault(service) ?? new ServiceEndpoints(service, []));
}
