using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>
/// NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE (+ CONTAINERS IMAGES SELECTOR), as kube-apiserver's
/// daemonset printer.
/// </summary>
internal sealed class DaemonSetTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Desired", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
        new("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
        new("Ready", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
        new("Up-to-date", "The total number of nodes that are running updated daemon pod"),
        new("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
        new("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
        AgeColumn,
        WorkloadColumns.Containers,
        WorkloadColumns.Images,
        new("Selector", "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var ds = (DaemonSet)resource;
        var status = ds.Status ?? new DaemonSetStatus();
        return
        [
            ds.Metadata.Name ?? "",
            WorkloadColumns.Count(status.DesiredNumberScheduled),
            WorkloadColumns.Count(status.CurrentNumberScheduled),
            WorkloadColumns.Count(status.NumberReady),
            WorkloadColumns.Count(status.UpdatedNumberScheduled),
            WorkloadColumns.Count(status.NumberAvailable),
            ServiceColumns.Selector(ds.Spec.Template?.Spec?.NodeSelector),
            Age(ds, now),
            WorkloadColumns.ContainerNames(ds.Spec.Template),
            WorkloadColumns.ContainerImages(ds.Spec.Template),
            WorkloadColumns.Selector(ds.Spec.Selector),
        ];
    }
}
