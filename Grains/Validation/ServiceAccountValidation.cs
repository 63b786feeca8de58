using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' ServiceAccount rules (ValidateServiceAccount): the name is a DNS-1123 subdomain; the secrets and image
/// pull secrets it lists are named.
/// </summary>
public static class ServiceAccountValidation
{
    public static ImmutableList<FieldError> Validate(ServiceAccount account)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(account.Metadata, namespaced: true));
        foreach (var (secret, i) in (account.Secrets ?? []).Select((s, i) => (s, i)))
        {
            if (string.IsNullOrEmpty(secret.Name))
                errors.Add(FieldError.Required($"secrets[{i}].name"));
        }
        foreach (var (secret, i) in (account.ImagePullSecrets ?? []).Select((s, i) => (s, i)))
        {
            if (string.IsNullOrEmpty(secret.Name))
                errors.Add(FieldError.Required($"imagePullSecrets[{i}].name"));
        }
        return errors.ToImmutable();
    }
}
