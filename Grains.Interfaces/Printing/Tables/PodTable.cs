using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME READY STATUS RESTARTS AGE (+ IP NODE NOMINATED NODE READINESS GATES), as kube-apiserver's pod printer.</summary>
internal sealed class PodTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        new("Status", "The aggregate status of the containers in this pod."),
        new("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        AgeColumn,
        new("IP", "IP address allocated to the pod. Routable at least within the cluster.", Priority: 1),
        new("Node", "NodeName is a request to schedule this pod onto a specific node.", Priority: 1),
        new("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node.", Priority: 1),
        new("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var pod = (Pod)resource;
        return
        [
            pod.Metadata.Name ?? "",
            PodColumns.Ready(pod),
            PodColumns.Status(pod),
            PodColumns.Restarts(pod, now),
            Age(pod, now),
            NoneIfEmpty(pod.Status?.PodIP),
            NoneIfEmpty(pod.Spec.NodeName),
            // Granary does not preempt and has no readiness gates: kubectl's printer shows <none> for both.
            "<none>",
            "<none>",
        ];
    }
}
