using System.Collections.Immutable;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class DaemonSetValidationTests
{
    private static Case<DaemonSet> Row(string name, DaemonSet ds, params string[] expected) => new(name, ds, expected);

    private static readonly ImmutableSortedDictionary<string, string> App = ImmutableSortedDictionary<string, string>.Empty.Add("app", "agent");

    private static DaemonSet Ds(Func<DaemonSetSpec, DaemonSetSpec>? change = null) => DaemonSetDefaults.Apply(new DaemonSet
    {
        Metadata = new() { Name = "agent", Namespace = "default" },
        Spec = (change ?? (s => s))(new DaemonSetSpec
        {
            Selector = new LabelSelectorSpec { MatchLabels = App },
            Template = new PodTemplateSpec { Metadata = new() { Labels = App }, Spec = new PodSpec { Containers = [new Container { Name = "agent", Image = "local/busybox:1" }] } },
        }),
    });

    private static DaemonSetSpec Strategy(DaemonSetSpec s, string type, IntOrString? maxUnavailable, IntOrString? maxSurge) => s with
    {
        UpdateStrategy = new DaemonSetUpdateStrategy { Type = type, RollingUpdate = new RollingUpdateDaemonSet { MaxUnavailable = maxUnavailable, MaxSurge = maxSurge } },
    };

    public static TheoryData<Case<DaemonSet>> DaemonSets => new()
    {
        Row("valid", Ds()),
        Row("OnDelete", Ds(s => s with { UpdateStrategy = new DaemonSetUpdateStrategy { Type = "OnDelete" } })),
        Row("surge instead of unavailability", Ds(s => Strategy(s, "RollingUpdate", 0, "10%"))),
        Row("selector does not match the template",
            Ds(s => s with { Selector = new LabelSelectorSpec { MatchLabels = ImmutableSortedDictionary<string, string>.Empty.Add("app", "other") } }),
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"agent\"}: `selector` does not match template `labels`"),
        Row("empty selector", Ds(s => s with { Selector = new LabelSelectorSpec() }),
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset"),
        Row("restartPolicy OnFailure", Ds(s => s with { Template = s.Template! with { Spec = s.Template.Spec! with { RestartPolicy = "OnFailure" } } }),
            "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""),
        Row("activeDeadlineSeconds", Ds(s => s with { Template = s.Template! with { Spec = s.Template.Spec! with { ActiveDeadlineSeconds = 5 } } }),
            "spec.template.spec.activeDeadlineSeconds: Invalid value: 5: activeDeadlineSeconds in DaemonSet is not Supported"),
        Row("unknown strategy", Ds(s => s with { UpdateStrategy = new DaemonSetUpdateStrategy { Type = "Recreate" } }),
            "spec.updateStrategy: Unsupported value: \"Recreate\": supported values: \"RollingUpdate\", \"OnDelete\""),
        Row("both zero", Ds(s => Strategy(s, "RollingUpdate", 0, 0)), "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
        Row("both set", Ds(s => Strategy(s, "RollingUpdate", 1, 1)), "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"),
        Row("over 100%", Ds(s => Strategy(s, "RollingUpdate", "150%", 0)), "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"),
        Row("negative history", Ds(s => s with { RevisionHistoryLimit = -1 }), "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"),
    };

    [Theory]
    [MemberData(nameof(DaemonSets))]
    public void Validate_DaemonSet_ReportsKubernetesErrors(Case<DaemonSet> c) =>
        Assert.Equal(c.Expected, DaemonSetValidation.Validate(c.Input).Select(e => e.ToString()));

    [Fact]
    public void ValidateUpdate_ChangedSelector_IsImmutable()
    {
        var old = Ds();
        var labels = App.Add("tier", "x");
        var updated = Ds(s => s with { Selector = new LabelSelectorSpec { MatchLabels = labels }, Template = s.Template! with { Metadata = new() { Labels = labels } } });

        Assert.Contains(DaemonSetValidation.ValidateUpdate(old, updated), e => e.Field == "spec.selector" && e.Detail.EndsWith("field is immutable", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_AreKubes()
    {
        var ds = Ds();

        Assert.Equal("RollingUpdate", ds.Spec.UpdateStrategy!.Type);
        Assert.Equal((IntOrString)1, ds.Spec.UpdateStrategy.RollingUpdate!.MaxUnavailable);
        Assert.Equal((IntOrString)0, ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge);
        Assert.Equal(10, ds.Spec.RevisionHistoryLimit);
        Assert.Equal("Always", ds.Spec.Template!.Spec!.RestartPolicy);
    }
}
