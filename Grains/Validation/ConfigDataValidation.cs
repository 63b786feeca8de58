using System.Text;
using Granary.Errors;

namespace Granary.Grains.Validation;

/// <summary>What ConfigMaps and Secrets share: the key syntax (IsConfigMapKey), the size limit, and `immutable`.</summary>
public static class ConfigDataValidation
{
    /// <summary>The most data (ConfigMap data + binaryData, Secret data) one object may hold, as Kubernetes' MaxSecretSize.</summary>
    public const int MaxSize = 1024 * 1024;

    public const string ImmutableWhenSet = "field is immutable when `immutable` is set";

    private const string KeyFormat = "[-._a-zA-Z0-9]+";
    private const string KeyMessage =
        $"a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '{KeyFormat}')";

    /// <summary>The key's problems (reported with the key, never the value: values may be a Secret's).</summary>
    public static IEnumerable<FieldError> Key(string key, string field) =>
        (key.Length == 0 ? [KeyMessage] : KeyMessages(key)).Select(message => FieldError.Invalid($"{field}[{key}]", key, message));

    /// <summary>kube's IsConfigMapKey for a non-empty key: ConfigMap and Secret keys, and the keys env refers to.</summary>
    public static IEnumerable<string> KeyMessages(string key)
    {
        if (key.Length > 253)
            yield return ValidationMessages.MaxLength(253);
        if (!key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            yield return KeyMessage;
        if (key == ".")
            yield return "must not be '.'";
        else if (key == "..")
            yield return "must not be '..'";
        else if (key.StartsWith("..", StringComparison.Ordinal))
            yield return "must not start with '..'";
    }

    public static int SizeOf(string value) => Encoding.UTF8.GetByteCount(value);
}
