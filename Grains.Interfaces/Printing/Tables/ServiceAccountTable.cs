using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME SECRETS AGE, as kube-apiserver's printServiceAccount.</summary>
internal sealed class ServiceAccountTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
        AgeColumn,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now) =>
    [
        resource.Metadata.Name ?? "",
        (((ServiceAccount)resource).Secrets?.Count ?? 0).ToString(CultureInfo.InvariantCulture),
        Age(resource, now),
    ];
}
