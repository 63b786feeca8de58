using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Services;

/// <summary>
/// Owns one Endpoints object (key "namespace/name"). Written by its service's controller when the service has a
/// selector, by users otherwise. It has no spec/status split: the subsets are the user-owned part.
/// </summary>
public sealed class EndpointsGrain(IObjectStore store, TimeProvider time, ILogger<EndpointsGrain> logger)
    : ResourceGrain<Endpoints>(store, time, logger), IEndpointsGrain
{
    protected override ImmutableList<FieldError> Validate(Endpoints resource) => EndpointsValidation.Validate(resource);

    protected override Endpoints ApplyDefaults(Endpoints resource) => resource with
    {
        Subsets = resource.Subsets?.ConvertAll(s => s with
        {
            Ports = s.Ports?.ConvertAll(p => string.IsNullOrEmpty(p.Protocol) ? p with { Protocol = "TCP" } : p),
        }),
    };

    protected override Endpoints WithSpec(Endpoints existing, Endpoints desired) => existing with { Subsets = desired.Subsets };

    protected override Endpoints WithStatus(Endpoints existing, Endpoints desired) => existing;

    /// <summary>Tells the service, which mirrors hand-written Endpoints into EndpointSlices when it has no selector.</summary>
    protected override Task AfterWriteAsync(Endpoints? before, Endpoints? after) =>
        GrainFactory.GetGrain<IServiceGrain>(Key).EndpointsChangedAsync();
}
