using System.Text.RegularExpressions;

namespace Granary.Selectors;

/// <summary>The syntax rules for names, label keys and label values, worded as Kubernetes words them.</summary>
public static partial class LabelSyntax
{
    public const string Dns1123LabelRule =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')";
    public const string Dns1123SubdomainRule =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";
    public const string QualifiedNameRule =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc'), with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
    public const string LabelValueRule =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    public static bool IsDns1123Label(string? s) => s is { Length: > 0 and <= 63 } && Dns1123Label().IsMatch(s);

    public static bool IsDns1123Subdomain(string? s) => s is { Length: > 0 and <= 253 } && Dns1123Subdomain().IsMatch(s);

    /// <summary>A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static bool IsQualifiedName(string? s)
    {
        if (string.IsNullOrEmpty(s))
            return false;
        var slash = s.IndexOf('/');
        var name = s;
        if (slash >= 0)
        {
            if (!IsDns1123Subdomain(s[..slash]))
                return false;
            name = s[(slash + 1)..];
        }
        return name.Length is > 0 and <= 63 && QualifiedNamePart().IsMatch(name);
    }

    public static bool IsLabelValue(string? s) => s is not null && (s.Length == 0 || (s.Length <= 63 && QualifiedNamePart().IsMatch(s)));
}
