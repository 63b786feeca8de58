using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>A projected volume (kube's validateProjectionSources): one kind per source, no path written twice.</summary>
internal static class ProjectedVolumeValidation
{
    private const long MinTokenSeconds = 10 * 60;
    private const long MaxTokenSeconds = 1L << 32;

    public static IEnumerable<FieldError> Validate(ProjectedVolumeSource projected, string field)
    {
        foreach (var error in VolumeValidation.Mode(projected.DefaultMode, $"{field}.defaultMode"))
            yield return error;
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (source, i) in (projected.Sources ?? []).Select((s, i) => (s, i)))
        {
            var at = $"{field}.sources[{i}]";
            var kinds = 0;
            if (source.Secret is { } secret)
            {
                kinds++;
                foreach (var error in KeyProjection(secret.Name, secret.Items, $"{at}.secret", field, paths))
                    yield return error;
            }
            if (source.ConfigMap is { } configMap)
            {
                kinds++;
                foreach (var error in KeyProjection(configMap.Name, configMap.Items, $"{at}.configMap", field, paths))
                    yield return error;
            }
            if (source.DownwardAPI is { } downward)
            {
                kinds++;
                foreach (var file in downward.Items ?? [])
                {
                    foreach (var error in DownwardApiValidation.File(file, $"{at}.downwardAPI"))
                        yield return error;
                    if (file.Path.Length > 0 && !paths.Add(file.Path))
                        yield return FieldError.Invalid(field, file.Path, "conflicting duplicate paths");
                }
            }
            if (source.ServiceAccountToken is { } token)
            {
                kinds++;
                foreach (var error in Token(token, $"{at}.serviceAccountToken"))
                    yield return error;
            }
            if (source.ClusterTrustBundle is { } bundle)
            {
                kinds++;
                foreach (var error in TrustBundle(bundle, $"{at}.clusterTrustBundle"))
                    yield return error;
                if (bundle.Path.Length > 0 && !paths.Add(bundle.Path))
                    yield return FieldError.Invalid(field, bundle.Path, "conflicting duplicate paths");
            }
            if (kinds > 1)
                yield return FieldError.Forbidden(at, "may not specify more than 1 volume type per source");
        }
    }

    private static IEnumerable<FieldError> KeyProjection(string? name, System.Collections.Immutable.ImmutableList<KeyToPath>? items, string at, string volume, HashSet<string> paths)
    {
        if (string.IsNullOrEmpty(name))
            yield return FieldError.Required($"{at}.name");
        foreach (var error in VolumeValidation.Items(items, $"{at}.items"))
            yield return error;
        foreach (var item in items ?? [])
            if (item.Path.Length > 0 && !paths.Add(item.Path))
                yield return FieldError.Invalid(volume, name ?? "", "conflicting duplicate paths");
    }

    private static IEnumerable<FieldError> Token(ServiceAccountTokenProjection token, string at)
    {
        // Unset is an hour (see PodDefaults).
        if (token.ExpirationSeconds is { } seconds and < MinTokenSeconds)
            yield return NumberValidation.Invalid($"{at}.expirationSeconds", seconds, "may not specify a duration less than 10 minutes");
        else if (token.ExpirationSeconds is { } longSeconds and > MaxTokenSeconds)
            yield return NumberValidation.Invalid($"{at}.expirationSeconds", longSeconds, "may not specify a duration larger than 2^32 seconds");
        if (token.Path.Length == 0)
            yield return FieldError.Required($"{at}.path");
        foreach (var error in VolumeValidation.LocalNonReservedPath(token.Path, $"{at}.path"))
            yield return error;
    }

    private static IEnumerable<FieldError> TrustBundle(ClusterTrustBundleProjection bundle, string at)
    {
        if (bundle.Name is not null && bundle.SignerName is not null)
            yield return FieldError.Invalid(at, null, "only one of name and signerName may be used");
        else if (bundle.Name is null && bundle.SignerName is null)
            yield return FieldError.Required(at) with { Detail = "either name or signerName must be used" };
        else if (bundle.Name is not null && bundle.LabelSelector is not null)
            yield return FieldError.Invalid($"{at}.labelSelector", null, "labelSelector must be unset if name is specified");
        if (bundle.Path.Length == 0)
            yield return FieldError.Required($"{at}.path");
        foreach (var error in VolumeValidation.LocalNonReservedPath(bundle.Path, $"{at}.path"))
            yield return error;
    }
}
