using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME DATA AGE, as kube-apiserver's configmap printer; DATA counts data and binaryData keys.</summary>
internal sealed class ConfigMapTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Data", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
        AgeColumn,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var configMap = (ConfigMap)resource;
        var keys = (configMap.Data?.Count ?? 0) + (configMap.BinaryData?.Count ?? 0);
        return [configMap.Metadata.Name ?? "", keys.ToString(CultureInfo.InvariantCulture), Age(configMap, now)];
    }
}

/// <summary>NAME TYPE DATA AGE, as kube-apiserver's secret printer; DATA counts keys (never shows values).</summary>
internal sealed class SecretTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Type", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
        new("Data", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
        AgeColumn,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var secret = (Secret)resource;
        return [secret.Metadata.Name ?? "", secret.Type ?? "", (secret.Data?.Count ?? 0).ToString(CultureInfo.InvariantCulture), Age(secret, now)];
    }
}
