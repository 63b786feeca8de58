using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE, as kube-apiserver's printPodDisruptionBudget.</summary>
internal sealed class PodDisruptionBudgetTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Min Available", "The minimum number of pods that must be available."),
        new("Max Unavailable", "The maximum number of pods that may be unavailable."),
        new("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
        AgeColumn,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var pdb = (PodDisruptionBudget)resource;
        return
        [
            pdb.Metadata.Name ?? "",
            pdb.Spec.MinAvailable?.ToString() ?? "N/A",
            pdb.Spec.MaxUnavailable?.ToString() ?? "N/A",
            (pdb.Status?.DisruptionsAllowed ?? 0).ToString(CultureInfo.InvariantCulture),
            Age(resource, now),
        ];
    }
}
