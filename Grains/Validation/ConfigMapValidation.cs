using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' ConfigMap rules (ValidateConfigMap, ValidateConfigMapUpdate).</summary>
public static class ConfigMapValidation
{
    public static ImmutableList<FieldError> Validate(ConfigMap configMap)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(configMap.Metadata, namespaced: true));
        long size = 0;
        foreach (var (key, value) in configMap.Data ?? ImmutableSortedDictionary<string, string>.Empty)
        {
            errors.AddRange(ConfigDataValidation.Key(key, "data"));
            if (configMap.BinaryData?.ContainsKey(key) == true)
                errors.Add(FieldError.Invalid($"data[{key}]", key, "duplicate of key present in binaryData"));
            size += ConfigDataValidation.SizeOf(value);
        }
        foreach (var (key, value) in configMap.BinaryData ?? ImmutableSortedDictionary<string, Bytes>.Empty)
        {
            errors.AddRange(ConfigDataValidation.Key(key, "binaryData"));
            size += value.Length;
        }
        // Kubernetes reports the size on the whole object (an empty path, printed "[]").
        if (size > ConfigDataValidation.MaxSize)
            errors.Add(FieldError.TooLong("[]", ConfigDataValidation.MaxSize));
        return errors.ToImmutable();
    }

    public static ImmutableList<FieldError> ValidateUpdate(ConfigMap old, ConfigMap updated)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        if (old.Immutable == true)
        {
            if (updated.Immutable != true)
                errors.Add(FieldError.Forbidden("immutable", ConfigDataValidation.ImmutableWhenSet));
            if (!SameMap(old.Data, updated.Data))
                errors.Add(FieldError.Forbidden("data", ConfigDataValidation.ImmutableWhenSet));
            if (!SameMap(old.BinaryData, updated.BinaryData))
                errors.Add(FieldError.Forbidden("binaryData", ConfigDataValidation.ImmutableWhenSet));
        }
        errors.AddRange(Validate(updated));
        return errors.ToImmutable();
    }

    /// <summary>Equal content; an absent map equals an empty one (both are empty on the wire's Go side).</summary>
    internal static bool SameMap<TValue>(ImmutableSortedDictionary<string, TValue>? a, ImmutableSortedDictionary<string, TValue>? b)
    {
        a ??= ImmutableSortedDictionary<string, TValue>.Empty;
        b ??= ImmutableSortedDictionary<string, TValue>.Empty;
        return a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var v) && EqualityComparer<TValue>.Default.Equals(e.Value, v));
    }
}
