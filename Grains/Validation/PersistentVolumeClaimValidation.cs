using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' PersistentVolumeClaim rules (ValidatePersistentVolumeClaim and its update).</summary>
public static class PersistentVolumeClaimValidation
{
    public const string SpecImmutable = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";

    public static ImmutableList<FieldError> Validate(PersistentVolumeClaim claim)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(claim.Metadata, namespaced: true));
        var spec = claim.Spec;
        errors.AddRange(StorageValidation.AccessModeList(spec.AccessModes, "spec.accessModes", "at least 1 access mode is required"));
        if (spec.Selector is { } selector)
            errors.AddRange(WorkloadValidation.Selector(selector, "spec.selector"));
        if (spec.Resources?.Requests?.TryGetValue("storage", out var storage) != true)
            errors.Add(FieldError.Required("spec.resources[storage]"));
        else
            errors.AddRange(StorageValidation.PositiveStorage(storage, "spec.resources[storage]"));
        foreach (var (name, limit) in spec.Resources?.Limits ?? ImmutableSortedDictionary<string, Quantity>.Empty)
            errors.AddRange(QuantityValidation.Value(name, limit, $"spec.resources.limits[{name}]"));
        errors.AddRange(StorageValidation.ClassName(spec.StorageClassName, "spec.storageClassName"));
        errors.AddRange(StorageValidation.VolumeMode(spec.VolumeMode, "spec.volumeMode"));
        if (spec.DataSource is { } source)
            errors.AddRange(DataSource(source.ApiGroup, source.Kind, source.Name, "spec.dataSource"));
        if (spec.DataSourceRef is { } sourceRef)
            errors.AddRange(DataSource(sourceRef.ApiGroup, sourceRef.Kind, sourceRef.Name, "spec.dataSourceRef"));
        return errors.ToImmutable();
    }

    /// <summary>
    /// The spec is fixed once created, except that the binder sets volumeName once, and a bound claim may ask for more
    /// storage (never less). Whether its class allows growing is the claim grain's admission check, as in kube.
    /// </summary>
    public static ImmutableList<FieldError> ValidateUpdate(PersistentVolumeClaim old, PersistentVolumeClaim updated)
    {
        var errors = Validate(updated).ToBuilder();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        var oldSpec = old.Spec;
        var newSpec = updated.Spec;
        if (string.IsNullOrEmpty(oldSpec.VolumeName))
            oldSpec = oldSpec with { VolumeName = newSpec.VolumeName };
        var oldSize = StorageValidation.StorageOf(old.Spec.Resources?.Requests);
        var newSize = StorageValidation.StorageOf(updated.Spec.Resources?.Requests);
        if (updated.Status?.Phase == VolumePhases.Bound && newSize is { } grown)
            newSpec = newSpec with { Resources = newSpec.Resources! with { Requests = newSpec.Resources.Requests!.SetItem("storage", oldSize ?? grown) } };
        if (!SpecComparison.AreEqual(oldSpec, newSpec))
            errors.Add(FieldError.Forbidden("spec", SpecImmutable));
        if (oldSize is { } before && newSize is { } after && after.Amount < before.Amount)
            errors.Add(FieldError.Forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
        return errors.ToImmutable();
    }

    private static IEnumerable<FieldError> DataSource(string? apiGroup, string kind, string name, string field)
    {
        if (string.IsNullOrEmpty(name))
            yield return FieldError.Required($"{field}.name");
        if (string.IsNullOrEmpty(kind))
            yield return FieldError.Required($"{field}.kind");
        if (string.IsNullOrEmpty(apiGroup) && kind != "PersistentVolumeClaim")
            yield return FieldError.Invalid(field, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup");
    }
}
