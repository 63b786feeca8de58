namespace Granary.Tests.Unit.Validation;

/// <summary>
/// Kubernetes' rule texts written out here rather than taken from the code under test, so that a change
/// to the wording fails these tests.
/// </summary>
internal static class KubernetesText
{
    public const string Label =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')";
    public const string Subdomain =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";
    public const string QualifiedName =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc'), with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
    public const string LabelValue =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')";
    public const string Quantity =
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
}

/// <summary>One row of a table: a name for the test runner, an input and the exact errors expected.</summary>
public sealed record Case<T>(string Name, T Input, params string[] Expected)
{
    public override string ToString() => Name;
}
