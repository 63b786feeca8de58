using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>
/// One column of a kind's table, as kube-apiserver declares it in a Table's columnDefinitions. Priority 1 columns are
/// the ones <c>-o wide</c> adds.
/// </summary>
public sealed record TableColumn(string Name, string Description, int Priority = 0, string Format = "");

/// <summary>
/// The columns kubectl prints for one kind and how each cell is computed. One definition per kind serves both the
/// API's server-side Tables (which kubectl prints) and the granary CLI, so the two cannot drift apart. Pure: the same
/// object and time give the same cells.
/// </summary>
public abstract class KindTable
{
    public abstract ImmutableArray<TableColumn> Columns { get; }

    /// <summary>Every cell of the object's row, one per column (wide ones included), in column order.</summary>
    public abstract IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now);

    protected static string NoneIfEmpty(string? value) => string.IsNullOrEmpty(value) ? "<none>" : value;

    protected static string UnknownIfEmpty(string? value) => string.IsNullOrEmpty(value) ? "<unknown>" : value;

    protected static string Age(IResource resource, DateTimeOffset now) => HumanDuration.Since(resource.Metadata.CreationTimestamp, now);

    /// <summary>The Name column as kube-apiserver describes it for every kind.</summary>
    protected static TableColumn NameColumn { get; } = new("Name", "Name must be unique within a namespace.", Format: "name");

    protected static TableColumn AgeColumn { get; } =
        new("Age", "CreationTimestamp is a timestamp representing the server time when this object was created.");
}
