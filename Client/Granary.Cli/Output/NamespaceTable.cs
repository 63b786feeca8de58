using Granary.Model;
using Granary.Printing;

namespace Granary.Cli.Output;

/// <summary>NAME STATUS AGE.</summary>
internal sealed class NamespaceTable : IResourceTable
{
    public static readonly NamespaceTable Instance = new();

    public IReadOnlyList<string> Header(TableOptions options) => ["NAME", "STATUS", "AGE"];

    public IReadOnlyList<string> Row(IResource resource, TableOptions options, DateTimeOffset now)
    {
        var ns = (Namespace)resource;
        return [ns.Metadata.Name ?? "", ns.Status?.Phase ?? "", HumanDuration.Since(ns.Metadata.CreationTimestamp, now)];
    }
}
