using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' PersistentVolume rules (ValidatePersistentVolume and its update), for the hostPath and local sources served.</summary>
public static class PersistentVolumeValidation
{
    /// <summary>hostPath types, as kube lists them ("" checks nothing).</summary>
    public static readonly ImmutableArray<string> HostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

    public static ImmutableList<FieldError> Validate(PersistentVolume volume)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(volume.Metadata, namespaced: false));
        var spec = volume.Spec;
        errors.AddRange(StorageValidation.AccessModeList(spec.AccessModes, "spec.accessModes", ""));
        if (spec.Capacity is not { Count: > 0 })
            errors.Add(FieldError.Required("spec.capacity"));
        if (spec.Capacity?.ContainsKey("storage") != true || spec.Capacity.Count > 1)
            errors.Add(FieldError.Unsupported("spec.capacity", string.Join(",", spec.Capacity?.Keys ?? []), ["storage"]));
        foreach (var (name, quantity) in spec.Capacity ?? ImmutableSortedDictionary<string, Quantity>.Empty)
            errors.AddRange(StorageValidation.PositiveStorage(quantity, $"spec.capacity[{name}]"));
        errors.AddRange(StorageValidation.ClassName(spec.StorageClassName, "spec.storageClassName"));
        if (spec.PersistentVolumeReclaimPolicy is { } policy && !ReclaimPolicies.ForVolumes.Contains(policy))
            errors.Add(FieldError.Unsupported("spec.persistentVolumeReclaimPolicy", policy, ReclaimPolicies.ForVolumes));
        errors.AddRange(StorageValidation.VolumeMode(spec.VolumeMode, "spec.volumeMode"));
        if (spec.ClaimRef is { } claim && string.IsNullOrEmpty(claim.Name))
            errors.Add(FieldError.Required("spec.claimRef.name"));
        if (spec.NodeAffinity is { } affinity)
        {
            if (affinity.Required is { } required)
                errors.AddRange(NodeSelectorValidation.Validate(required, "spec.nodeAffinity.required"));
            else
                errors.Add(FieldError.Required("spec.nodeAffinity.required") with { Detail = "must specify required node constraints" });
        }
        errors.AddRange(Source(spec));
        return errors.ToImmutable();
    }

    /// <summary>The volume's source is fixed once created, as are its volume mode and (once set) its node affinity.</summary>
    public static ImmutableList<FieldError> ValidateUpdate(PersistentVolume old, PersistentVolume updated)
    {
        var errors = Validate(updated).ToBuilder();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        if (old.Spec.HostPath != updated.Spec.HostPath || old.Spec.Local != updated.Spec.Local)
            errors.Add(FieldError.Forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"));
        if (old.Spec.VolumeMode != updated.Spec.VolumeMode)
            errors.Add(FieldError.Invalid("spec.volumeMode", updated.Spec.VolumeMode ?? "", ValidationMessages.Immutable));
        if (old.Spec.NodeAffinity is not null && !SpecComparison.AreEqual(old.Spec.NodeAffinity, updated.Spec.NodeAffinity ?? new VolumeNodeAffinity()))
            errors.Add(FieldError.Invalid("spec.nodeAffinity", null, ValidationMessages.Immutable));
        return errors.ToImmutable();
    }

    private static IEnumerable<FieldError> Source(PersistentVolumeSpec spec)
    {
        if (spec.HostPath is null && spec.Local is null)
        {
            yield return FieldError.Required("spec") with { Detail = "must specify a volume type (hostPath or local; other volume types are not served)" };
            yield break;
        }
        if (spec.HostPath is not null && spec.Local is not null)
            yield return FieldError.Forbidden("spec.local", "may not specify more than 1 volume type");
        if (spec.HostPath is { } hostPath)
        {
            foreach (var error in Path(hostPath.Path, "spec.hostPath.path"))
                yield return error;
            if (hostPath.Type is { } type && !HostPathTypes.Contains(type))
                yield return FieldError.Unsupported("spec.hostPath.type", type, HostPathTypes);
        }
        if (spec.Local is { } local)
        {
            foreach (var error in Path(local.Path, "spec.local.path"))
                yield return error;
            if (spec.NodeAffinity is null)
                yield return FieldError.Required("spec.nodeAffinity") with { Detail = "Local volume requires node affinity" };
        }
    }

    private static IEnumerable<FieldError> Path(string path, string field)
    {
        if (string.IsNullOrEmpty(path))
            yield return FieldError.Required(field);
        else if (path.Split('/').Contains(".."))
            yield return FieldError.Invalid(field, path, "must not contain '..'");
    }
}
