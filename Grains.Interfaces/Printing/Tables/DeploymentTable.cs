using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME READY UP-TO-DATE AVAILABLE AGE (+ CONTAINERS IMAGES SELECTOR), as kube-apiserver's deployment printer.</summary>
internal sealed class DeploymentTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Ready", "Number of the pod with ready state"),
        new("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        new("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        AgeColumn,
        WorkloadColumns.Containers,
        WorkloadColumns.Images,
        new("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var d = (Deployment)resource;
        var status = d.Status ?? new DeploymentStatus();
        return
        [
            d.Metadata.Name ?? "",
            string.Create(CultureInfo.InvariantCulture, $"{status.ReadyReplicas}/{d.Spec.Replicas ?? 1}"),
            WorkloadColumns.Count(status.UpdatedReplicas),
            WorkloadColumns.Count(status.AvailableReplicas),
            Age(d, now),
            WorkloadColumns.ContainerNames(d.Spec.Template),
            WorkloadColumns.ContainerImages(d.Spec.Template),
            WorkloadColumns.Selector(d.Spec.Selector),
        ];
    }
}
