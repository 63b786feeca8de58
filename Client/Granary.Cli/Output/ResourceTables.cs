using Granary.Model;

namespace Granary.Cli.Output;

/// <param name="Wide">-o wide: the extra columns.</param>
/// <param name="WithNamespace">-A on a namespaced kind: a leading NAMESPACE column.</param>
internal sealed record TableOptions(bool Wide = false, bool WithNamespace = false);

/// <summary>The columns kubectl prints for one kind. Pure: the same object, options and time give the same cells.</summary>
internal interface IResourceTable
{
    IReadOnlyList<string> Header(TableOptions options);

    IReadOnlyList<string> Row(IResource resource, TableOptions options, DateTimeOffset now);
}

internal static class ResourceTables
{
    public static IResourceTable For(ResourceKind kind) => kind.Kind switch
    {
        "Pod" => PodTable.Instance,
        "Node" => NodeTable.Instance,
        "Namespace" => NamespaceTable.Instance,
        _ => throw new ArgumentException($"no table for kind {kind.Kind}", nameof(kind)),
    };

    /// <summary>A header and rows for <paramref name="resources"/>, rendered.</summary>
    public static string Render(ResourceKind kind, IEnumerable<IResource> resources, TableOptions options, DateTimeOffset now)
    {
        var table = For(kind);
        return TablePrinter.Render(table.Header(options), resources.Select(r => table.Row(r, options, now)));
    }

    /// <summary>Prepends the NAMESPACE column when the options ask for it.</summary>
    internal static IReadOnlyList<string> WithNamespace(TableOptions options, string? @namespace, IEnumerable<string> cells) =>
        options.WithNamespace ? [@namespace ?? "", .. cells] : [.. cells];
}
