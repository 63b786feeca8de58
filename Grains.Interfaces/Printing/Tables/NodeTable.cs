using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME STATUS ROLES AGE VERSION (+ INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME), as printNode.</summary>
internal sealed class NodeTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Status", "The status of the node"),
        new("Roles", "The roles of the node"),
        AgeColumn,
        new("Version", "Kubelet Version reported by the node."),
        new("Internal-IP", "List of internal IPs assigned to the node.", Priority: 1),
        new("External-IP", "List of external IPs assigned to the node.", Priority: 1),
        new("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", Priority: 1),
        new("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", Priority: 1),
        new("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var node = (Node)resource;
        var info = node.Status?.NodeInfo;
        return
        [
            node.Metadata.Name ?? "",
            NodeColumns.Status(node),
            NodeColumns.Roles(node) is { Count: > 0 } roles ? string.Join(",", roles) : "<none>",
            Age(node, now),
            info?.KubeletVersion ?? "",
            NodeColumns.Address(node, "InternalIP"),
            NodeColumns.Address(node, "ExternalIP"),
            UnknownIfEmpty(info?.OsImage),
            UnknownIfEmpty(info?.KernelVersion),
            UnknownIfEmpty(info?.ContainerRuntimeVersion),
        ];
    }
}
