using System.Collections.Immutable;
using Granary.Grains.Validation;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Tests.Unit.Validation;

public class DeploymentValidationTests
{
    private static ImmutableSortedDictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToImmutableSortedDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    private static Deployment Valid() => WorkloadDefaults.Apply(new Deployment
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default" },
        Spec = new DeploymentSpec
        {
            Replicas = 2,
            Selector = new LabelSelectorSpec { MatchLabels = Labels(("app", "web")) },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = Labels(("app", "web")) },
                Spec = new PodSpec { Containers = [new Container { Name = "web", Image = "local/web:1" }] },
            },
        },
    });

    private static Case<Deployment> Row(string name, Func<Deployment, Deployment> change, params string[] expected) => new(name, change(Valid()), expected);

    private static Deployment WithSpec(Deployment d, Func<DeploymentSpec, DeploymentSpec> change) => d with { Spec = change(d.Spec) };

    private static Deployment WithRolling(Deployment d, IntOrString? surge, IntOrString? unavailable) =>
        WithSpec(d, s => s with { Strategy = new DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateDeployment { MaxSurge = surge, MaxUnavailable = unavailable } } });

    public static TheoryData<Case<Deployment>> Deployments => new()
    {
        Row("valid", d => d),
        Row("valid with expressions", d => WithSpec(d, s => s with
        {
            Selector = new LabelSelectorSpec { MatchExpressions = [new LabelSelectorRequirementSpec { Key = "app", Operator = "In", Values = ["web", "api"] }] },
        })),
        Row("no selector", d => WithSpec(d, s => s with { Selector = null }), "spec.selector: Required value"),
        Row("empty selector", d => WithSpec(d, s => s with { Selector = new LabelSelectorSpec() }),
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"),
        Row("selector does not match the template", d => WithSpec(d, s => s with { Selector = new LabelSelectorSpec { MatchLabels = Labels(("app", "api")) } }),
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"),
        Row("bad operator", d => WithSpec(d, s => s with
        {
            Selector = new LabelSelectorSpec { MatchLabels = Labels(("app", "web")), MatchExpressions = [new LabelSelectorRequirementSpec { Key = "x", Operator = "Near" }] },
        }), "spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator"),
        Row("In without values", d => WithSpec(d, s => s with
        {
            Selector = new LabelSelectorSpec { MatchLabels = Labels(("app", "web")), MatchExpressions = [new LabelSelectorRequirementSpec { Key = "x", Operator = "In" }] },
        }), "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"),
        Row("no template", d => WithSpec(d, s => s with { Template = null }), "spec.template: Required value"),
        Row("template without image", d => WithSpec(d, s => s with
        {
            Template = s.Template! with { Spec = s.Template.Spec! with { Containers = [new Container { Name = "web" }] } },
        }), "spec.template.spec.containers[0].image: Required value"),
        Row("restartPolicy Never", d => WithSpec(d, s => s with { Template = s.Template! with { Spec = s.Template.Spec! with { RestartPolicy = "Never" } } }),
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""),
        Row("negative replicas", d => WithSpec(d, s => s with { Replicas = -1 }), "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        Row("unknown strategy", d => WithSpec(d, s => s with { Strategy = new DeploymentStrategy { Type = "BlueGreen" } }),
            "spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\""),
        Row("Recreate with rollingUpdate", d => WithSpec(d, s => s with { Strategy = new DeploymentStrategy { Type = "Recreate", RollingUpdate = new RollingUpdateDeployment() } }),
            "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"),
        Row("both limits zero", d => WithRolling(d, 0, 0),
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"),
        Row("bad percentage", d => WithRolling(d, "lots", "25%"),
            "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')"),
        Row("more than 100% unavailable", d => WithRolling(d, "25%", "120%"),
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"120%\": must not be greater than 100%"),
        Row("deadline not above minReadySeconds", d => WithSpec(d, s => s with { MinReadySeconds = 30, ProgressDeadlineSeconds = 30 }),
            "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"),
        Row("negative history", d => WithSpec(d, s => s with { RevisionHistoryLimit = -2 }),
            "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0"),
    };

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Validate_Deployment_ReportsKubernetesErrors(Case<Deployment> c) =>
        Assert.Equal(c.Expected, DeploymentValidation.Validate(c.Input).Select(e => e.ToString()));

    [Fact]
    public void ValidateUpdate_ChangedSelector_IsImmutable()
    {
        var old = Valid();
        var updated = WithSpec(old, s => s with
        {
            Selector = new LabelSelectorSpec { MatchLabels = Labels(("app", "web"), ("tier", "fe")) },
            Template = s.Template! with { Metadata = new ObjectMeta { Labels = Labels(("app", "web"), ("tier", "fe")) } },
        });

        var errors = DeploymentValidation.ValidateUpdate(old, updated).Select(e => e.ToString());

        Assert.Equal(["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"fe\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"], errors);
    }

    [Fact]
    public void ReplicaSet_SelectorMismatch_UsesTheSameWording()
    {
        var rs = new ReplicaSet
        {
            Metadata = new ObjectMeta { Name = "web", Namespace = "default" },
            Spec = new ReplicaSetSpec
            {
                Selector = new LabelSelectorSpec { MatchLabels = Labels(("app", "web")) },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = Labels(("app", "other")) },
                    Spec = new PodSpec { Containers = [new Container { Name = "web", Image = "local/web:1" }] },
                },
            },
        };

        Assert.Equal(["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"],
            ReplicaSetValidation.Validate(rs).Select(e => e.ToString()));
    }

    [Fact]
    public void Defaults_FillKubernetesValues_AndAreIdempotent()
    {
        var d = WorkloadDefaults.Apply(new Deployment { Spec = new DeploymentSpec { Template = new PodTemplateSpec { Spec = new PodSpec() } } });

        Assert.Equal(1, d.Spec.Replicas);
        Assert.Equal("RollingUpdate", d.Spec.Strategy!.Type);
        Assert.Equal(("25%", "25%"), (d.Spec.Strategy.RollingUpdate!.MaxSurge.ToString(), d.Spec.Strategy.RollingUpdate.MaxUnavailable.ToString()));
        Assert.Equal((10, 600), (d.Spec.RevisionHistoryLimit, d.Spec.ProgressDeadlineSeconds));
        Assert.Equal("Always", d.Spec.Template!.Spec!.RestartPolicy);
        Assert.Equal(GranaryJson.Serialize(d), GranaryJson.Serialize(WorkloadDefaults.Apply(d)));
    }
}
