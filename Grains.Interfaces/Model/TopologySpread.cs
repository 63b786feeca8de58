using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>How evenly matching pods must spread across the domains of <see cref="TopologyKey"/> (zones, nodes).</summary>
[GenerateSerializer, Immutable, Alias("granary.TopologySpreadConstraint")]
public sealed record TopologySpreadConstraint
{
    [Id(0)] public int MaxSkew { get; init; }
    [Id(1)] public string TopologyKey { get; init; } = "";

    /// <summary>DoNotSchedule or ScheduleAnyway.</summary>
    [Id(2)] public string WhenUnsatisfiable { get; init; } = "";

    [Id(3)] public LabelSelectorSpec? LabelSelector { get; init; }
    [Id(4)] public int? MinDomains { get; init; }
    [Id(5)] public string? NodeAffinityPolicy { get; init; }
    [Id(6)] public string? NodeTaintsPolicy { get; init; }
    [Id(7)] public ImmutableList<string>? MatchLabelKeys { get; init; }
}
