using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Printing;

namespace Granary.Silo.Api;

/// <summary>What a Table row carries as its object (<c>includeObject</c>): nothing, the metadata (the default) or the whole object.</summary>
internal enum IncludeObject { None, Metadata, Object }

/// <summary>
/// Server-side Tables (meta.k8s.io/v1) with the columns kube-apiserver's printers give: kubectl 1.32 has no
/// printers of its own for these kinds, so READY, STATUS and the rest exist only if the server computes them.
/// priority 1 columns are the ones -o wide adds.
/// </summary>
internal static class ResourceTables
{
    private sealed record Column(string Name, string Description, int Priority = 0, string Format = "");

    private static readonly ImmutableArray<Column> PodColumns =
    [
        new("Name", "Name must be unique within a namespace.", Format: "name"),
        new("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        new("Status", "The aggregate status of the containers in this pod."),
        new("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        new("Age", "CreationTimestamp is a timestamp representing the server time when this object was created."),
        new("IP", "IP address allocated to the pod. Routable at least within the cluster.", Priority: 1),
        new("Node", "NodeName is a request to schedule this pod onto a specific node.", Priority: 1),
        new("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node.", Priority: 1),
        new("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", Priority: 1),
    ];

    private static readonly ImmutableArray<Column> NodeColumns =
    [
        new("Name", "Name must be unique within a namespace.", Format: "name"),
        new("Status", "The status of the node"),
        new("Roles", "The roles of the node"),
        new("Age", "CreationTimestamp is a timestamp representing the server time when this object was created."),
        new("Version", "Kubelet Version reported by the node."),
        new("Internal-IP", "List of internal IPs assigned to the node.", Priority: 1),
        new("External-IP", "List of external IPs assigned to the node.", Priority: 1),
        new("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", Priority: 1),
        new("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", Priority: 1),
        new("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", Priority: 1),
    ];

    private static readonly ImmutableArray<Column> NamespaceColumns =
    [
        new("Name", "Name must be unique within a namespace.", Format: "name"),
        new("Status", "The status of the namespace"),
        new("Age", "CreationTimestamp is a timestamp representing the server time when this object was created."),
    ];

    public static JsonObject Table(ResourceKind kind, IEnumerable<IResource> items, string? resourceVersion, string? continueToken,
        IncludeObject include, DateTimeOffset now)
    {
        var columns = new JsonArray();
        foreach (var c in ColumnsOf(kind))
        {
            columns.Add(new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = "string",
                ["format"] = c.Format,
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            });
        }
        var rows = new JsonArray();
        foreach (var item in items)
        {
            var row = new JsonObject { ["cells"] = new JsonArray([.. Cells(item, now).Select(c => (JsonNode)c)]) };
            if (include != IncludeObject.None)
                row["object"] = include == IncludeObject.Object ? ResourceJson.Object(item) : ResourceJson.PartialObjectMetadata(item);
            rows.Add(row);
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = ResourceJson.ListMeta(resourceVersion, continueToken),
            ["columnDefinitions"] = columns,
            ["rows"] = rows,
        };
    }

    private static ImmutableArray<Column> ColumnsOf(ResourceKind kind) => kind.Kind switch
    {
        "Pod" => PodColumns,
        "Node" => NodeColumns,
        "Namespace" => NamespaceColumns,
        _ => throw new ArgumentException($"no table for kind {kind.Kind}", nameof(kind)),
    };

    internal static IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now) => resource switch
    {
        Pod pod =>
        [
            pod.Metadata.Name ?? "",
            Printing.PodColumns.Ready(pod),
            Printing.PodColumns.Status(pod),
            Printing.PodColumns.Restarts(pod, now),
            HumanDuration.Since(pod.Metadata.CreationTimestamp, now),
            NoneIfEmpty(pod.Status?.PodIP),
            NoneIfEmpty(pod.Spec.NodeName),
            // Granary does not preempt and has no readiness gates: kubectl's printer shows <none> for both.
            "<none>",
            "<none>",
        ],
        Node node =>
        [
            node.Metadata.Name ?? "",
            Printing.NodeColumns.Status(node),
            Printing.NodeColumns.Roles(node) is { Count: > 0 } roles ? string.Join(",", roles) : "<none>",
            HumanDuration.Since(node.Metadata.CreationTimestamp, now),
            node.Status?.NodeInfo?.KubeletVersion ?? "",
            Printing.NodeColumns.Address(node, "InternalIP"),
            Printing.NodeColumns.Address(node, "ExternalIP"),
            UnknownIfEmpty(node.Status?.NodeInfo?.OsImage),
            UnknownIfEmpty(node.Status?.NodeInfo?.KernelVersion),
            UnknownIfEmpty(node.Status?.NodeInfo?.ContainerRuntimeVersion),
        ],
        Namespace ns => [ns.Metadata.Name ?? "", ns.Status?.Phase ?? "", HumanDuration.Since(ns.Metadata.CreationTimestamp, now)],
        _ => throw new ArgumentException($"no table for kind {resource.Kind}", nameof(resource)),
    };

    private static string NoneIfEmpty(string? value) => string.IsNullOrEmpty(value) ? "<none>" : value;

    private static string UnknownIfEmpty(string? value) => string.IsNullOrEmpty(value) ? "<unknown>" : value;
}
