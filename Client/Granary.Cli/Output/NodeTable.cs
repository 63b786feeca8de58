using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Cli.Output;

/// <summary>NAME STATUS ROLES AGE VERSION (+ INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME), as kubectl's printNode.</summary>
internal sealed class NodeTable : IResourceTable
{
    public static readonly NodeTable Instance = new();

    private const string RolePrefix = "node-role.kubernetes.io/";
    private const string RoleLabel = "kubernetes.io/role";

    public IReadOnlyList<string> Header(TableOptions options) =>
        options.Wide
            ? ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]
            : ["NAME", "STATUS", "ROLES", "AGE", "VERSION"];

    public IReadOnlyList<string> Row(IResource resource, TableOptions options, DateTimeOffset now)
    {
        var node = (Node)resource;
        var info = node.Status?.NodeInfo;
        var roles = Roles(node);
        List<string> cells =
        [
            node.Metadata.Name ?? "",
            Status(node),
            roles.Count == 0 ? "<none>" : string.Join(",", roles),
            HumanDuration.Since(node.Metadata.CreationTimestamp, now),
            info?.KubeletVersion ?? "",
        ];
        if (options.Wide)
        {
            cells.AddRange(
            [
                Address(node, "InternalIP"),
                Address(node, "ExternalIP"),
                UnknownIfEmpty(info?.OsImage),
                UnknownIfEmpty(info?.KernelVersion),
                UnknownIfEmpty(info?.ContainerRuntimeVersion),
            ]);
        }
        return cells;
    }

    /// <summary>Ready or NotReady from the Ready condition (Unknown without one), then SchedulingDisabled when cordoned.</summary>
    public static string Status(Node node)
    {
        var ready = node.Status?.Conditions?.LastOrDefault(c => c.Type == "Ready");
        var status = ready is null ? "Unknown" : ready.Status == "True" ? "Ready" : "NotReady";
        return node.Spec.Unschedulable == true ? status + ",SchedulingDisabled" : status;
    }

    /// <summary>Roles from node-role.kubernetes.io/ROLE labels and the older kubernetes.io/role label, sorted.</summary>
    public static IReadOnlyList<string> Roles(Node node)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in node.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty)
        {
            if (key.StartsWith(RolePrefix, StringComparison.Ordinal) && key.Length > RolePrefix.Length)
                roles.Add(key[RolePrefix.Length..]);
            else if (key == RoleLabel && value.Length > 0)
                roles.Add(value);
        }
        return [.. roles];
    }

    private static string Address(Node node, string type) =>
        node.Status?.Addresses?.FirstOrDefault(a => a.Type == type)?.Address ?? "<none>";

    private static string UnknownIfEmpty(string? value) => string.IsNullOrEmpty(value) ? "<unknown>" : value;
}
