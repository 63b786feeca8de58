using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' ControllerRevision rules (ValidateControllerRevision and its update): data is required and fixed once written.</summary>
public static class ControllerRevisionValidation
{
    public static ImmutableList<FieldError> Validate(ControllerRevision revision)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(revision.Metadata, namespaced: true));
        if (revision.Data is not { Json: { Length: > 0 } json } || json == "null")
            errors.Add(FieldError.Required("data") with { Detail = "data is mandatory" });
        errors.AddRange(NumberValidation.NonNegative(revision.Revision, "revision"));
        return errors.ToImmutable();
    }

    public static ImmutableList<FieldError> ValidateUpdate(ControllerRevision old, ControllerRevision updated)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        errors.AddRange(Validate(updated));
        // Only the revision number may change: a controller renumbers a revision it returns to (a rollback).
        if (old.Data != updated.Data)
            errors.Add(FieldError.Invalid("data", null, ValidationMessages.Immutable));
        return errors.ToImmutable();
    }
}
