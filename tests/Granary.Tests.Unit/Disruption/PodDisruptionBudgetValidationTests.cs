using System.Collections.Immutable;
using Granary.Grains.Validation;
using Granary.Model;
using Granary.Printing.Tables;

namespace Granary.Tests.Unit.Disruption;

public sealed class PodDisruptionBudgetValidationTests
{
    private static PodDisruptionBudget Pdb(PodDisruptionBudgetSpec spec) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default" },
        Spec = spec,
    };

    private static readonly LabelSelectorSpec Web = new() { MatchLabels = ImmutableSortedDictionary<string, string>.Empty.Add("app", "web") };

    public static TheoryData<string, PodDisruptionBudgetSpec, string[]> Specs() => new()
    {
        { "min count", new() { MinAvailable = 3, Selector = Web }, [] },
        { "max percent", new() { MaxUnavailable = "25%", Selector = Web }, [] },
        { "no selector", new() { MinAvailable = 1 }, [] },
        { "policy", new() { MinAvailable = 1, Selector = Web, UnhealthyPodEvictionPolicy = "AlwaysAllow" }, [] },
        { "both", new() { MinAvailable = 1, MaxUnavailable = 1, Selector = Web }, ["spec: Invalid value: minAvailable and maxUnavailable cannot be both set"] },
        { "negative", new() { MinAvailable = -1, Selector = Web }, ["spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"] },
        { "not a percent", new() { MaxUnavailable = "half", Selector = Web },
            ["spec.maxUnavailable: Invalid value: \"half\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')"] },
        { "over 100%", new() { MinAvailable = "150%", Selector = Web }, ["spec.minAvailable: Invalid value: \"150%\": must not be greater than 100%"] },
        { "unknown policy", new() { MinAvailable = 1, Selector = Web, UnhealthyPodEvictionPolicy = "Never" },
            ["spec.unhealthyPodEvictionPolicy: Unsupported value: \"Never\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\""] },
        { "bad selector operator", new() { MinAvailable = 1, Selector = new() { MatchExpressions = [new LabelSelectorRequirementSpec { Key = "app", Operator = "Near" }] } },
            ["spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator"] },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Validate_GivesKubesErrors(string @case, PodDisruptionBudgetSpec spec, string[] expected)
    {
        var errors = PodDisruptionBudgetValidation.Validate(Pdb(spec)).Select(e => e.ToString()).ToArray();

        Assert.True(expected.SequenceEqual(errors), $"{@case}: {string.Join(" | ", errors)}");
    }

    [Fact]
    public void Table_ShowsBoundsAndAllowedDisruptions()
    {
        var pdb = Pdb(new() { MinAvailable = "50%", Selector = Web }) with
        {
            Metadata = new ObjectMeta { Name = "web", CreationTimestamp = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero) },
            Status = new PodDisruptionBudgetStatus { DisruptionsAllowed = 2 },
        };
        var table = KindTables.For(ResourceKinds.PodDisruptionBudget);

        Assert.Equal(["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"], table.Columns.Select(c => c.Name));
        Assert.Equal(["web", "50%", "N/A", "2", "5m"], table.Cells(pdb, new DateTimeOffset(2026, 12, 7, 12, 5, 0, TimeSpan.Zero)));
    }
}
