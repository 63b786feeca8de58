using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME READY AGE (+ CONTAINERS IMAGES), as kube-apiserver's statefulset printer.</summary>
internal sealed class StatefulSetTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Ready", "Number of the pod with ready state"),
        AgeColumn,
        WorkloadColumns.Containers,
        WorkloadColumns.Images,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var set = (StatefulSet)resource;
        return
        [
            set.Metadata.Name ?? "",
            string.Create(CultureInfo.InvariantCulture, $"{set.Status?.ReadyReplicas ?? 0}/{set.Spec.Replicas ?? 1}"),
            Age(set, now),
            WorkloadColumns.ContainerNames(set.Spec.Template),
            WorkloadColumns.ContainerImages(set.Spec.Template),
        ];
    }
}
