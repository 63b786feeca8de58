using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE, as kube-apiserver 1.32 prints HorizontalPodAutoscalers.</summary>
internal sealed class HorizontalPodAutoscalerTable : KindTable
{
    /// <summary>Past this many metrics the TARGETS cell ends with " + N more..." (kube's printer).</summary>
    private const int ShownMetrics = 4;

    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Reference", "reference is the reference to the target resource"),
        new("Targets", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used)."),
        new("MinPods", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
        new("MaxPods", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up."),
        new("Replicas", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
        AgeColumn,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var hpa = (HorizontalPodAutoscaler)resource;
        return
        [
            hpa.Metadata.Name ?? "",
            $"{hpa.Spec.ScaleTargetRef.Kind}/{hpa.Spec.ScaleTargetRef.Name}",
            Targets(hpa),
            hpa.Spec.MinReplicas is { } min ? min.ToString(CultureInfo.InvariantCulture) : "<unset>",
            hpa.Spec.MaxReplicas.ToString(CultureInfo.InvariantCulture),
            (hpa.Status?.CurrentReplicas ?? 0).ToString(CultureInfo.InvariantCulture),
            Age(hpa, now),
        ];
    }

    /// <summary>"cpu: 45%/50%" per metric: the current value (or &lt;unknown&gt;) over the target.</summary>
    public static string Targets(HorizontalPodAutoscaler hpa)
    {
        var specs = hpa.Spec.Metrics ?? [];
        if (specs.Count == 0)
            return "<none>";
        var statuses = hpa.Status?.CurrentMetrics ?? [];
        var cells = new List<string>();
        foreach (var spec in specs.Take(ShownMetrics))
        {
            if (spec.Resource is not { } r)
            {
                cells.Add("<unknown>");
                continue;
            }
            var current = statuses.FirstOrDefault(s => s.Resource?.Name == r.Name)?.Resource?.Current;
            cells.Add(r.Target.Type == MetricTarget.UtilizationType
                ? $"{r.Name}: {(current?.AverageUtilization is { } u ? $"{u}%" : "<unknown>")}/{r.Target.AverageUtilization}%"
                : $"{r.Name}: {current?.AverageValue?.Text ?? "<unknown>"}/{r.Target.AverageValue?.Text}");
        }
        var text = string.Join(", ", cells);
        return specs.Count > ShownMetrics ? $"{text} + {specs.Count - ShownMetrics} more..." : text;
    }
}
