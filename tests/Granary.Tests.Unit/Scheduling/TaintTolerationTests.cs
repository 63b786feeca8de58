using Granary.Grains.Scheduling;
using Granary.Model;

namespace Granary.Tests.Unit.Scheduling;

public class TaintTolerationTests
{
    [Theory]
    // toleration key, operator, value, effect | taint key, value, effect | tolerates
    [InlineData("gpu", "Equal", "true", "NoSchedule", "gpu", "true", "NoSchedule", true)]
    [InlineData("gpu", "Equal", "false", "NoSchedule", "gpu", "true", "NoSchedule", false)]
    [InlineData("gpu", null, "true", "NoSchedule", "gpu", "true", "NoSchedule", true)]
    [InlineData("gpu", "", "true", null, "gpu", "true", "NoExecute", true)]
    [InlineData("gpu", "Equal", null, "NoSchedule", "gpu", null, "NoSchedule", true)]
    [InlineData("gpu", "Equal", "", "NoSchedule", "gpu", null, "NoSchedule", true)]
    [InlineData("gpu", "Equal", null, "NoSchedule", "gpu", "true", "NoSchedule", false)]
    [InlineData("gpu", "Exists", null, "NoSchedule", "gpu", "anything", "NoSchedule", true)]
    [InlineData("gpu", "Exists", null, null, "gpu", "true", "NoExecute", true)]
    [InlineData("gpu", "Exists", null, "", "gpu", "true", "PreferNoSchedule", true)]
    [InlineData("gpu", "Exists", null, "NoSchedule", "gpu", "true", "NoExecute", false)]
    [InlineData("gpu", "Exists", null, "NoSchedule", "disk", "true", "NoSchedule", false)]
    [InlineData(null, "Exists", null, null, "any", "value", "NoExecute", true)]
    [InlineData("", "Exists", null, "NoSchedule", "any", "value", "NoSchedule", true)]
    [InlineData("", "Exists", null, "NoSchedule", "any", "value", "NoExecute", false)]
    [InlineData("gpu", "Bogus", "true", null, "gpu", "true", "NoSchedule", false)]
    public void Tolerates_Table_MatchesKubernetes(
        string? key, string? op, string? value, string? effect, string taintKey, string? taintValue, string taintEffect, bool expected)
    {
        var toleration = new Toleration { Key = key, Operator = op, Value = value, Effect = effect };
        var taint = new Taint { Key = taintKey, Value = taintValue, Effect = taintEffect };

        Assert.Equal(expected, TaintToleration.Tolerates(toleration, taint));
    }

    [Theory]
    [InlineData("NoSchedule", true)]
    [InlineData("NoExecute", true)]
    [InlineData("PreferNoSchedule", false)]
    public void Filters_ByEffect_OnlyHardEffectsFilter(string effect, bool expected)
    {
        Assert.Equal(expected, TaintToleration.Filters(new Taint { Key = "k", Effect = effect }));
    }

    [Fact]
    public void IsTolerated_AnyMatchingToleration_Tolerates()
    {
        var taint = new Taint { Key = "gpu", Value = "true", Effect = "NoSchedule" };
        Toleration[] tolerations =
        [
            new() { Key = "disk", Operator = "Exists" },
            new() { Key = "gpu", Operator = "Equal", Value = "true" },
        ];

        Assert.True(TaintToleration.IsTolerated(taint, tolerations));
        Assert.False(TaintToleration.IsTolerated(taint, tolerations.AsSpan(0, 1)));
        Assert.False(TaintToleration.IsTolerated(taint, []));
    }
}
