using Granary.Model;
using Granary.Printing.Tables;

namespace Granary.Cli.Output;

/// <param name="Wide">-o wide: the extra columns.</param>
/// <param name="WithNamespace">-A on a namespaced kind: a leading NAMESPACE column.</param>
internal sealed record TableOptions(bool Wide = false, bool WithNamespace = false);

/// <summary>
/// Prints a kind's table as kubectl prints the server's Table: upper-cased column names, the priority-1 columns only
/// with -o wide, NAMESPACE first with -A. The columns and cells are the API's own (<see cref="KindTables"/>).
/// </summary>
internal sealed class ResourceTable(ResourceKind kind, TableOptions options)
{
    private readonly KindTable _table = KindTables.For(kind);

    public IReadOnlyList<string> Header() =>
        WithNamespace("NAMESPACE", Shown(_table.Columns.Select(c => c.Name.ToUpperInvariant()).ToList()));

    public IReadOnlyList<string> Row(IResource resource, DateTimeOffset now) =>
        WithNamespace(resource.Metadata.Namespace ?? "", Shown(_table.Cells(resource, now)));

    private IEnumerable<string> Shown(IReadOnlyList<string> cells) =>
        cells.Where((_, i) => options.Wide || _table.Columns[i].Priority == 0);

    private List<string> WithNamespace(string first, IEnumerable<string> cells) =>
        options.WithNamespace ? [first, .. cells] : [.. cells];
}

internal static class ResourceTables
{
    /// <summary>A header and rows for <paramref name="resources"/>, rendered.</summary>
    public static string Render(ResourceKind kind, IEnumerable<IResource> resources, TableOptions options, DateTimeOffset now)
    {
        var table = new ResourceTable(kind, options);
        return TablePrinter.Render(table.Header(), resources.Select(r => table.Row(r, now)));
    }
}
