using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// Owns one service (key "namespace/name"): its spec, the cluster IP and node ports allocated to it, and, for a
/// service with a selector, its Endpoints object, which it keeps equal to the ready pods the selector matches.
/// </summary>
[Alias("granary.IServiceGrain")]
public interface IServiceGrain : IResourceGrain<Model.Service>
{
    /// <summary>
    /// A pod this service may select changed. Only a hint (one-way, idempotent, coalesced): the service re-reads the
    /// pods and reconciles its endpoints soon; a timer and a reminder resync without any hint.
    /// </summary>
    [Alias("PodsChanged"), OneWay]
    Task PodsChangedAsync();

    /// <summary>
    /// The Endpoints of this service changed. Only a hint (one-way): a service without a selector mirrors the
    /// hand-written Endpoints into EndpointSlices; one with a selector ignores it (it writes both itself).
    /// </summary>
    [Alias("EndpointsChanged"), OneWay]
    Task EndpointsChangedAsync();
}

/// <summary>Owns one Endpoints object (key "namespace/name", the name of its service).</summary>
[Alias("granary.IEndpointsGrain")]
public interface IEndpointsGrain : IResourceGrain<Model.Endpoints>;

/// <summary>Owns one EndpointSlice (key "namespace/name"); a service's controller keeps the slices labelled with its name.</summary>
[Alias("granary.IEndpointSliceGrain")]
public interface IEndpointSliceGrain : IResourceGrain<Model.EndpointSlice>;
