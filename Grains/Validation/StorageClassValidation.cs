using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' StorageClass rules (ValidateStorageClass and its update).</summary>
public static class StorageClassValidation
{
    private const int MaxParameters = 512;
    private const int MaxParametersSize = 256 * 1024;

    public static ImmutableList<FieldError> Validate(StorageClass sc)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(sc.Metadata, namespaced: false));
        if (string.IsNullOrEmpty(sc.Provisioner))
            errors.Add(FieldError.Required("provisioner"));
        else
            errors.AddRange(SyntaxValidation.QualifiedName(sc.Provisioner.ToLowerInvariant(), "provisioner"));
        var parameters = sc.Parameters ?? ImmutableSortedDictionary<string, string>.Empty;
        if (parameters.Count > MaxParameters)
            errors.Add(new FieldError("parameters", "Too long", $"may not have more than {MaxParameters} items"));
        else if (parameters.Sum(p => (long)p.Key.Length + p.Value.Length) > MaxParametersSize)
            errors.Add(new FieldError("parameters", "Too long", $"may not be more than {MaxParametersSize} bytes"));
        if (parameters.Keys.Any(k => k.Length == 0))
            errors.Add(FieldError.Invalid("parameters", "", "field can not be empty."));
        if (sc.ReclaimPolicy is { Length: > 0 } policy && !ReclaimPolicies.ForClasses.Contains(policy))
            errors.Add(FieldError.Unsupported("reclaimPolicy", policy, ReclaimPolicies.ForClasses));
        if (sc.VolumeBindingMode is null)
            errors.Add(FieldError.Required("volumeBindingMode"));
        else if (!VolumeBindingModes.All.Contains(sc.VolumeBindingMode))
            errors.Add(FieldError.Unsupported("volumeBindingMode", sc.VolumeBindingMode, VolumeBindingModes.All));
        var terms = sc.AllowedTopologies ?? [];
        for (var t = 0; t < terms.Count; t++)
        {
            var expressions = terms[t].MatchLabelExpressions ?? [];
            var at = $"allowedTopologies[{t}].matchLabelExpressions";
            if (expressions.Count == 0)
                errors.Add(FieldError.Required(at) with { Detail = "must have at least one label selector" });
            for (var i = 0; i < expressions.Count; i++)
            {
                errors.AddRange(SyntaxValidation.QualifiedName(expressions[i].Key, $"{at}[{i}].key"));
                if (expressions[i].Values is not { Count: > 0 })
                    errors.Add(FieldError.Required($"{at}[{i}].values") with { Detail = "must specify as least one value" });
            }
        }
        return errors.ToImmutable();
    }

    public static ImmutableList<FieldError> ValidateUpdate(StorageClass old, StorageClass updated)
    {
        var errors = Validate(updated).ToBuilder();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        if (!(old.Parameters ?? ImmutableSortedDictionary<string, string>.Empty).SequenceEqual(updated.Parameters ?? ImmutableSortedDictionary<string, string>.Empty))
            errors.Add(FieldError.Forbidden("parameters", "updates to parameters are forbidden."));
        if (old.Provisioner != updated.Provisioner)
            errors.Add(FieldError.Forbidden("provisioner", "updates to provisioner are forbidden."));
        if (old.ReclaimPolicy != updated.ReclaimPolicy)
            errors.Add(FieldError.Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
        if (old.VolumeBindingMode != updated.VolumeBindingMode)
            errors.Add(FieldError.Invalid("volumeBindingMode", updated.VolumeBindingMode ?? "", ValidationMessages.Immutable));
        return errors.ToImmutable();
    }
}
