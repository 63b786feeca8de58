using Granary.Model;
using Granary.Printing;

namespace Granary.Cli.Output;

/// <summary>NAME STATUS ROLES AGE VERSION (+ INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME), as kubectl's printNode.</summary>
internal sealed class NodeTable : IResourceTable
{
    public static readonly NodeTable Instance = new();

    public IReadOnlyList<string> Header(TableOptions options) =>
        options.Wide
            ? ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]
            : ["NAME", "STATUS", "ROLES", "AGE", "VERSION"];

    public IReadOnlyList<string> Row(IResource resource, TableOptions options, DateTimeOffset now)
    {
        var node = (Node)resource;
        var info = node.Status?.NodeInfo;
        var roles = NodeColumns.Roles(node);
        List<string> cells =
        [
            node.Metadata.Name ?? "",
            NodeColumns.Status(node),
            roles.Count == 0 ? "<none>" : string.Join(",", roles),
            HumanDuration.Since(node.Metadata.CreationTimestamp, now),
            info?.KubeletVersion ?? "",
        ];
        if (options.Wide)
        {
            cells.AddRange(
            [
                NodeColumns.Address(node, "InternalIP"),
                NodeColumns.Address(node, "ExternalIP"),
                UnknownIfEmpty(info?.OsImage),
                UnknownIfEmpty(info?.KernelVersion),
                UnknownIfEmpty(info?.ContainerRuntimeVersion),
            ]);
        }
        return cells;
    }

    private static string UnknownIfEmpty(string? value) => string.IsNullOrEmpty(value) ? "<unknown>" : value;
}
