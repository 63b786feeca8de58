using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// A container's environment (kube's validateEnv, validateEnvVarValueFrom, validateEnvFrom). Names follow 1.32's
/// relaxed rule. A value is never part of a message: it may be a secret written inline.
/// </summary>
public static class EnvValidation
{
    public const string RelaxedNameRule = "a valid environment variable name must consist only of printable ASCII characters other than '='";

    public static IEnumerable<FieldError> Env(ImmutableList<EnvVar>? env, string field)
    {
        foreach (var (variable, i) in (env ?? []).Select((v, i) => (v, i)))
        {
            var path = $"{field}[{i}]";
            if (variable.Name.Length == 0)
                yield return FieldError.Required($"{path}.name");
            else if (!IsRelaxedName(variable.Name))
                yield return FieldError.Invalid($"{path}.name", variable.Name, RelaxedNameRule);
            foreach (var error in ValueFrom(variable, $"{path}.valueFrom"))
                yield return error;
        }
    }

    public static IEnumerable<FieldError> EnvFrom(ImmutableList<EnvFromSource>? sources, string field)
    {
        foreach (var (source, i) in (sources ?? []).Select((s, i) => (s, i)))
        {
            var path = $"{field}[{i}]";
            if (!string.IsNullOrEmpty(source.Prefix) && !IsRelaxedName(source.Prefix))
                yield return FieldError.Invalid($"{path}.prefix", source.Prefix, RelaxedNameRule);
            var count = 0;
            if (source.ConfigMapRef is { } configMap)
            {
                count++;
                foreach (var error in ObjectName(configMap.Name, $"{path}.configMapRef.name"))
                    yield return error;
            }
            if (source.SecretRef is { } secret)
            {
                count++;
                foreach (var error in ObjectName(secret.Name, $"{path}.secretRef.name"))
                    yield return error;
            }
            // kube reports these on the list's own path.
            if (count == 0)
                yield return FieldError.Invalid(field, "", "must specify one of: `configMapRef` or `secretRef`");
            else if (count > 1)
                yield return FieldError.Invalid(field, "", "may not have more than one field specified at a time");
        }
    }

    private static IEnumerable<FieldError> ValueFrom(EnvVar variable, string field)
    {
        if (variable.ValueFrom is not { } from)
            yield break;
        var count = 0;
        if (from.FieldRef is { } fieldRef)
        {
            count++;
            foreach (var error in DownwardApiValidation.FieldRef(fieldRef, DownwardApiValidation.EnvFieldPaths, $"{field}.fieldRef"))
                yield return error;
        }
        if (from.ResourceFieldRef is { } resourceFieldRef)
        {
            count++;
            foreach (var error in DownwardApiValidation.ResourceFieldRef(resourceFieldRef, $"{field}.resourceFieldRef", volume: false))
                yield return error;
        }
        if (from.ConfigMapKeyRef is { } configMapKey)
        {
            count++;
            foreach (var error in KeySelector(configMapKey.Name, configMapKey.Key, $"{field}.configMapKeyRef"))
                yield return error;
        }
        if (from.SecretKeyRef is { } secretKey)
        {
            count++;
            foreach (var error in KeySelector(secretKey.Name, secretKey.Key, $"{field}.secretKeyRef"))
                yield return error;
        }
        // As kube, the value is never printed: "" stands for it.
        if (count == 0)
            yield return FieldError.Invalid(field, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
        else if (!string.IsNullOrEmpty(variable.Value))
            yield return FieldError.Invalid(field, "", "may not be specified when `value` is not empty");
        else if (count > 1)
            yield return FieldError.Invalid(field, "", "may not have more than one field specified at a time");
    }

    private static IEnumerable<FieldError> KeySelector(string? name, string key, string field)
    {
        foreach (var message in SyntaxValidation.Dns1123SubdomainMessages(name ?? ""))
            yield return FieldError.Invalid($"{field}.name", name ?? "", message);
        if (key.Length == 0)
            yield return FieldError.Required($"{field}.key");
        else
            foreach (var message in ConfigDataValidation.KeyMessages(key))
                yield return FieldError.Invalid($"{field}.key", key, message);
    }

    private static IEnumerable<FieldError> ObjectName(string? name, string field)
    {
        if (string.IsNullOrEmpty(name))
            yield return FieldError.Required(field);
        else
            foreach (var error in SyntaxValidation.Dns1123Subdomain(name, field))
                yield return error;
    }

    private static bool IsRelaxedName(string name) => name.All(c => c is >= ' ' and <= '~' and not '=');
}
