using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

/// <summary>Owns one ControllerRevision (key "namespace/name"). It has no spec or status: data and revision are the whole object.</summary>
public sealed class ControllerRevisionGrain(IObjectStore store, TimeProvider time, ILogger<ControllerRevisionGrain> logger)
    : ResourceGrain<ControllerRevision>(store, time, logger), IControllerRevisionGrain
{
    protected override ImmutableList<FieldError> Validate(ControllerRevision resource) => ControllerRevisionValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(ControllerRevision old, ControllerRevision updated) =>
        ControllerRevisionValidation.ValidateUpdate(old, updated);

    protected override ControllerRevision WithSpec(ControllerRevision existing, ControllerRevision desired) =>
        existing with { Data = desired.Data, Revision = desired.Revision };

    protected override ControllerRevision WithStatus(ControllerRevision existing, ControllerRevision desired) => existing;
}
