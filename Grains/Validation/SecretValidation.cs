using System.Collections.Immutable;
using System.Text.Json;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' Secret rules (ValidateSecret, ValidateSecretUpdate), run after stringData was merged into data. Messages
/// name keys, never values: a value that is wrong is "&lt;secret contents redacted&gt;", as in Kubernetes.
/// </summary>
public static class SecretValidation
{
    private const string Redacted = "<secret contents redacted>";

    public static ImmutableList<FieldError> Validate(Secret secret)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(secret.Metadata, namespaced: true));
        var data = secret.Data ?? ImmutableSortedDictionary<string, Bytes>.Empty;
        long size = 0;
        foreach (var (key, value) in data)
        {
            errors.AddRange(ConfigDataValidation.Key(key, "data"));
            size += value.Length;
        }
        if (size > ConfigDataValidation.MaxSize)
            errors.Add(FieldError.TooLong("data", ConfigDataValidation.MaxSize));
        errors.AddRange(TypeRules(secret, data));
        return errors.ToImmutable();
    }

    public static ImmutableList<FieldError> ValidateUpdate(Secret old, Secret updated)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        if (updated.Type != old.Type)
            errors.Add(FieldError.Invalid("type", updated.Type ?? "", ValidationMessages.Immutable));
        if (old.Immutable == true)
        {
            if (updated.Immutable != true)
                errors.Add(FieldError.Forbidden("immutable", ConfigDataValidation.ImmutableWhenSet));
            // stringData was merged into data before this check, so data covers it.
            if (!ConfigMapValidation.SameMap(old.Data, updated.Data))
                errors.Add(FieldError.Forbidden("data", ConfigDataValidation.ImmutableWhenSet));
        }
        errors.AddRange(Validate(updated));
        return errors.ToImmutable();
    }

    /// <summary>The keys (or annotation) each built-in type requires.</summary>
    private static IEnumerable<FieldError> TypeRules(Secret secret, ImmutableSortedDictionary<string, Bytes> data)
    {
        switch (secret.Type)
        {
            case SecretTypes.ServiceAccountToken:
                if (string.IsNullOrEmpty(secret.Metadata.Annotations?.GetValueOrDefault(SecretTypes.ServiceAccountNameAnnotation)))
                    yield return FieldError.Required($"metadata.annotations[{SecretTypes.ServiceAccountNameAnnotation}]");
                break;
            case SecretTypes.DockerConfig:
            case SecretTypes.DockerConfigJson:
                var key = secret.Type == SecretTypes.DockerConfig ? SecretTypes.DockerConfigKey : SecretTypes.DockerConfigJsonKey;
                if (!data.TryGetValue(key, out var config))
                    yield return FieldError.Required($"data[{key}]");
                else if (JsonObjectError(config) is { } error)
                    yield return FieldError.Invalid($"data[{key}]", Redacted, error);
                break;
            case SecretTypes.BasicAuth:
                // Either may be empty, but one of the two must be there.
                if (!data.ContainsKey(SecretTypes.BasicAuthUsernameKey) && !data.ContainsKey(SecretTypes.BasicAuthPasswordKey))
                {
                    yield return FieldError.Required($"data[{SecretTypes.BasicAuthUsernameKey}]");
                    yield return FieldError.Required($"data[{SecretTypes.BasicAuthPasswordKey}]");
                }
                break;
            case SecretTypes.SshAuth:
                if (data.GetValueOrDefault(SecretTypes.SshAuthPrivateKey).Length == 0)
                    yield return FieldError.Required($"data[{SecretTypes.SshAuthPrivateKey}]");
                break;
            case SecretTypes.Tls:
                if (!data.ContainsKey(SecretTypes.TlsCertKey))
                    yield return FieldError.Required($"data[{SecretTypes.TlsCertKey}]");
                if (!data.ContainsKey(SecretTypes.TlsPrivateKeyKey))
                    yield return FieldError.Required($"data[{SecretTypes.TlsPrivateKeyKey}]");
                break;
        }
    }

    /// <summary>Why the value is not a JSON object (with the position only, never the content); null when it is.</summary>
    private static string? JsonObjectError(Bytes value)
    {
        try
        {
            using var document = JsonDocument.Parse(value.Value.AsMemory());
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? null
                : $"cannot unmarshal {document.RootElement.ValueKind.ToString().ToLowerInvariant()} into an object";
        }
        catch (JsonException e)
        {
            return $"invalid JSON at byte {e.BytePositionInLine ?? 0} of line {(e.LineNumber ?? 0) + 1}";
        }
    }
}
