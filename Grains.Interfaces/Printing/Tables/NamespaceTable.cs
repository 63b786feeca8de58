using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME STATUS AGE.</summary>
internal sealed class NamespaceTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } = [NameColumn, new("Status", "The status of the namespace"), AgeColumn];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now) =>
        [resource.Metadata.Name ?? "", ((Namespace)resource).Status?.Phase ?? "", Age(resource, now)];
}
