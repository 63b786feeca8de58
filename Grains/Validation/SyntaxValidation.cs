using System.Collections.Immutable;
using Granary.Errors;
using Granary.Selectors;

namespace Granary.Grains.Validation;

/// <summary>
/// Field errors for names, keys and label values. The patterns themselves live in <see cref="LabelSyntax"/>;
/// this adds the field path and, as Kubernetes does, a length message apart from the pattern message.
/// A value that is too long is reported for its length only.
/// </summary>
public static class SyntaxValidation
{
    public static IEnumerable<FieldError> Dns1123Label(string value, string field) => Invalid(field, value, Dns1123LabelMessages(value));

    public static IEnumerable<FieldError> Dns1123Subdomain(string value, string field) => Invalid(field, value, Dns1123SubdomainMessages(value));

    public static IEnumerable<FieldError> QualifiedName(string value, string field) => Invalid(field, value, QualifiedNameMessages(value));

    public static IEnumerable<FieldError> LabelValue(string value, string field) => Invalid(field, value, LabelValueMessages(value));

    /// <summary>Label-shaped maps (labels, nodeSelector): every problem is reported on the map's own path, as Kubernetes does.</summary>
    public static IEnumerable<FieldError> Labels(ImmutableSortedDictionary<string, string>? labels, string field)
    {
        foreach (var (key, value) in labels ?? ImmutableSortedDictionary<string, string>.Empty)
        {
            foreach (var error in QualifiedName(key, field))
                yield return error;
            foreach (var error in LabelValue(value, field))
                yield return error;
        }
    }

    /// <summary>An IANA service name, as container port names and named probe ports must be.</summary>
    public static IEnumerable<FieldError> PortName(string value, string field)
    {
        if (value.Length > 15)
            yield return FieldError.Invalid(field, value, ValidationMessages.MaxLength(15));
        if (value.Length == 0 || value.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            yield return FieldError.Invalid(field, value, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        if (!value.Any(char.IsAsciiLetterLower))
            yield return FieldError.Invalid(field, value, "must contain at least one letter (a-z)");
        if (value.Contains("--", StringComparison.Ordinal))
            yield return FieldError.Invalid(field, value, "must not contain consecutive hyphens");
        if (value.StartsWith('-') || value.EndsWith('-'))
            yield return FieldError.Invalid(field, value, "must not begin or end with a hyphen");
    }

    public static IEnumerable<string> Dns1123LabelMessages(string value)
    {
        if (value.Length > 63)
            yield return ValidationMessages.MaxLength(63);
        else if (!LabelSyntax.IsDns1123Label(value))
            yield return LabelSyntax.Dns1123LabelRule;
    }

    public static IEnumerable<string> Dns1035LabelMessages(string value)
    {
        if (value.Length > 63)
            yield return ValidationMessages.MaxLength(63);
        else if (!LabelSyntax.IsDns1123Label(value) || !char.IsAsciiLetterLower(value[0]))
            yield return Dns1035LabelRule;
    }

    public const string Dns1035LabelRule =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    public static IEnumerable<string> Dns1123SubdomainMessages(string value)
    {
        if (value.Length > 253)
            yield return ValidationMessages.MaxLength(253);
        else if (!LabelSyntax.IsDns1123Subdomain(value))
            yield return LabelSyntax.Dns1123SubdomainRule;
    }

    public static IEnumerable<string> QualifiedNameMessages(string value)
    {
        var parts = value.Split('/');
        if (parts.Length > 2)
        {
            yield return LabelSyntax.QualifiedNameRule;
            yield break;
        }
        var name = parts[^1];
        if (parts.Length == 2)
        {
            var prefix = parts[0];
            if (prefix.Length == 0)
                yield return "prefix part must be non-empty";
            else if (prefix.Length > 253)
                yield return "prefix part " + ValidationMessages.MaxLength(253);
            else if (!LabelSyntax.IsDns1123Subdomain(prefix))
                yield return "prefix part " + LabelSyntax.Dns1123SubdomainRule;
        }
        if (name.Length == 0)
        {
            // An empty name also fails the pattern, and Kubernetes says both.
            yield return "name part must be non-empty";
            yield return LabelSyntax.QualifiedNameRule;
        }
        else if (name.Length > 63)
            yield return "name part " + ValidationMessages.MaxLength(63);
        else if (!LabelSyntax.IsQualifiedName(name))
            yield return LabelSyntax.QualifiedNameRule;
    }

    public static IEnumerable<string> LabelValueMessages(string value)
    {
        if (value.Length > 63)
            yield return ValidationMessages.MaxLength(63);
        else if (!LabelSyntax.IsLabelValue(value))
            yield return LabelSyntax.LabelValueRule;
    }

    private static IEnumerable<FieldError> Invalid(string field, string value, IEnumerable<string> messages) =>
        messages.Select(message => FieldError.Invalid(field, value, message));
}
