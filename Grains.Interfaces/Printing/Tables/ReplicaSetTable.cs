using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME DESIRED CURRENT READY AGE (+ CONTAINERS IMAGES SELECTOR), as kube-apiserver's replicaset printer.</summary>
internal sealed class ReplicaSetTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Desired", "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#replicaset"),
        new("Current", "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"),
        new("Ready", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
        AgeColumn,
        WorkloadColumns.Containers,
        WorkloadColumns.Images,
        new("Selector", "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var rs = (ReplicaSet)resource;
        return
        [
            rs.Metadata.Name ?? "",
            WorkloadColumns.Count(rs.Spec.Replicas ?? 1),
            WorkloadColumns.Count(rs.Status?.Replicas ?? 0),
            WorkloadColumns.Count(rs.Status?.ReadyReplicas ?? 0),
            Age(rs, now),
            WorkloadColumns.ContainerNames(rs.Spec.Template),
            WorkloadColumns.ContainerImages(rs.Spec.Template),
            WorkloadColumns.Selector(rs.Spec.Selector),
        ];
    }
}
