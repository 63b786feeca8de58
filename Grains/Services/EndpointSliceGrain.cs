using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Services;

/// <summary>Owns one EndpointSlice (key "namespace/name"). No spec/status split: endpoints and ports are the object.</summary>
public sealed class EndpointSliceGrain(IObjectStore store, TimeProvider time, ILogger<EndpointSliceGrain> logger)
    : ResourceGrain<EndpointSlice>(store, time, logger), IEndpointSliceGrain
{
    protected override ImmutableList<FieldError> Validate(EndpointSlice resource) => EndpointSliceValidation.Validate(resource);

    protected override EndpointSlice ApplyDefaults(EndpointSlice resource) => resource with
    {
        Ports = resource.Ports?.ConvertAll(p => p.Protocol is null ? p with { Protocol = "TCP" } : p),
    };

    protected override EndpointSlice WithSpec(EndpointSlice existing, EndpointSlice desired) =>
        existing with { AddressType = desired.AddressType, Endpoints = desired.Endpoints, Ports = desired.Ports };

    protected override EndpointSlice WithStatus(EndpointSlice existing, EndpointSlice desired) => existing;
}
