using System.Collections.Immutable;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class StatefulSetValidationTests
{
    private const string UpdateForbidden = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        + "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

    private static ImmutableSortedDictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToImmutableSortedDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    private static StatefulSet Valid() => StatefulSetDefaults.Apply(new StatefulSet
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default" },
        Spec = new StatefulSetSpec
        {
            Replicas = 3,
            ServiceName = "nginx",
            Selector = new LabelSelectorSpec { MatchLabels = Labels(("app", "web")) },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = Labels(("app", "web")) },
                Spec = new PodSpec
                {
                    Containers = [new Container { Name = "web", Image = "local/busybox:1", VolumeMounts = [new VolumeMount { Name = "www", MountPath = "/data" }] }],
                },
            },
            VolumeClaimTemplates =
            [
                new PersistentVolumeClaim
                {
                    Metadata = new ObjectMeta { Name = "www" },
                    Spec = new PersistentVolumeClaimSpec
                    {
                        AccessModes = ["ReadWriteOnce"],
                        Resources = new VolumeResourceRequirements { Requests = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("storage", Quantity.Parse("1Gi"))]) },
                    },
                },
            ],
        },
    });

    private static Case<StatefulSet> Row(string name, Func<StatefulSetSpec, StatefulSetSpec> change, params string[] expected) =>
        new(name, Valid() with { Spec = change(Valid().Spec) }, expected);

    public static TheoryData<Case<StatefulSet>> Sets => new()
    {
        Row("valid: the mount names a claim template", s => s),
        Row("valid without serviceName (optional since 1.32)", s => s with { ServiceName = null }),
        Row("no selector", s => s with { Selector = null }, "spec.selector: Required value"),
        Row("empty selector", s => s with { Selector = new LabelSelectorSpec() },
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset"),
        Row("selector does not match the template", s => s with { Selector = new LabelSelectorSpec { MatchLabels = Labels(("app", "db")) } },
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"),
        Row("bad pod management policy", s => s with { PodManagementPolicy = "Random" },
            "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"),
        Row("bad update strategy", s => s with { UpdateStrategy = new StatefulSetUpdateStrategy { Type = "Recreate" } },
            "spec.updateStrategy: Invalid value: \"Recreate\": must be 'RollingUpdate' or 'OnDelete'"),
        Row("OnDelete with rollingUpdate", s => s with
        {
            UpdateStrategy = new StatefulSetUpdateStrategy { Type = "OnDelete", RollingUpdate = new RollingUpdateStatefulSetStrategy { Partition = 1 } },
        }, "spec.updateStrategy.rollingUpdate: Invalid value: &apps.RollingUpdateStatefulSetStrategy{Partition:1, MaxUnavailable:<nil>}: only allowed for updateStrategy 'RollingUpdate'"),
        Row("negative partition", s => s with
        {
            UpdateStrategy = new StatefulSetUpdateStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateStatefulSetStrategy { Partition = -1 } },
        }, "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"),
        Row("maxUnavailable 0", s => s with
        {
            UpdateStrategy = new StatefulSetUpdateStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateStatefulSetStrategy { Partition = 0, MaxUnavailable = 0 } },
        }, "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0"),
        Row("bad retention policy", s => s with
        {
            PersistentVolumeClaimRetentionPolicy = new StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = "Keep", WhenScaled = "Delete" },
        }, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: \"Keep\": supported values: \"Retain\", \"Delete\""),
        Row("negative replicas and ordinals", s => s with { Replicas = -1, Ordinals = new StatefulSetOrdinals { Start = -2 } },
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "spec.ordinals.start: Invalid value: -2: must be greater than or equal to 0"),
        Row("restartPolicy Never", s => s with { Template = s.Template! with { Spec = s.Template.Spec! with { RestartPolicy = "Never" } } },
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""),
        Row("activeDeadlineSeconds", s => s with { Template = s.Template! with { Spec = s.Template.Spec! with { ActiveDeadlineSeconds = 5 } } },
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported"),
        Row("a mount that names neither a volume nor a claim template", s => s with { VolumeClaimTemplates = [] },
            "spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"www\""),
        Row("claim template without a name", s => s with { VolumeClaimTemplates = [s.VolumeClaimTemplates![0] with { Metadata = new ObjectMeta() }] },
            "spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"www\"",
            "spec.volumeClaimTemplates[0].metadata.name: Required value"),
        Row("claim template without storage", s => s with
        {
            VolumeClaimTemplates = [s.VolumeClaimTemplates![0] with { Spec = s.VolumeClaimTemplates[0].Spec with { Resources = null } }],
        }, "spec.volumeClaimTemplates[0].spec.resources[storage]: Required value"),
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void Validate_StatefulSet_ReportsKubernetesErrors(Case<StatefulSet> c) =>
        Assert.Equal(c.Expected, StatefulSetValidation.Validate(c.Input).Select(e => e.ToString()));

    [Fact]
    public void ValidateUpdate_MutableFields_AreAccepted()
    {
        var old = Valid();
        var updated = old with
        {
            Spec = old.Spec with
            {
                Replicas = 5,
                MinReadySeconds = 3,
                RevisionHistoryLimit = 2,
                Ordinals = new StatefulSetOrdinals { Start = 1 },
                Template = old.Spec.Template! with { Spec = old.Spec.Template.Spec! with { Containers = [old.Spec.Template.Spec.Containers![0] with { Image = "local/busybox:2" }] } },
                UpdateStrategy = new StatefulSetUpdateStrategy { Type = "OnDelete" },
                PersistentVolumeClaimRetentionPolicy = new StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = "Delete", WhenScaled = "Delete" },
            },
        };

        Assert.Empty(StatefulSetValidation.ValidateUpdate(old, updated));
    }

    [Theory]
    [InlineData("serviceName")]
    [InlineData("podManagementPolicy")]
    [InlineData("volumeClaimTemplates")]
    public void ValidateUpdate_OtherFields_AreForbidden(string field)
    {
        var old = Valid();
        var spec = field switch
        {
            "serviceName" => old.Spec with { ServiceName = "other" },
            "podManagementPolicy" => old.Spec with { PodManagementPolicy = "Parallel" },
            _ => old.Spec with { VolumeClaimTemplates = [] , Template = old.Spec.Template! with { Spec = old.Spec.Template.Spec! with { Containers = [new Container { Name = "web", Image = "x" }] } } },
        };

        Assert.Equal([UpdateForbidden], StatefulSetValidation.ValidateUpdate(old, old with { Spec = spec }).Select(e => e.ToString()));
    }

    [Fact]
    public void Defaults_FillKubernetesValues_AndAreIdempotent()
    {
        var set = StatefulSetDefaults.Apply(new StatefulSet
        {
            Metadata = new ObjectMeta { Name = "web" },
            Spec = new StatefulSetSpec
            {
                Template = new PodTemplateSpec { Spec = new PodSpec() },
                VolumeClaimTemplates = [new PersistentVolumeClaim { Metadata = new ObjectMeta { Name = "www" } }],
            },
        });

        Assert.Equal((1, "OrderedReady", "RollingUpdate", 0, 10, "Retain", "Retain"),
            (set.Spec.Replicas, set.Spec.PodManagementPolicy, set.Spec.UpdateStrategy!.Type, set.Spec.UpdateStrategy.RollingUpdate!.Partition,
                set.Spec.RevisionHistoryLimit, set.Spec.PersistentVolumeClaimRetentionPolicy!.WhenDeleted, set.Spec.PersistentVolumeClaimRetentionPolicy.WhenScaled));
        Assert.Equal(("Filesystem", "Pending"), (set.Spec.VolumeClaimTemplates![0].Spec.VolumeMode, set.Spec.VolumeClaimTemplates[0].Status!.Phase));
        Assert.Equal("Always", set.Spec.Template!.Spec!.RestartPolicy);
        Assert.Equal(Granary.Serialization.GranaryJson.Serialize(set), Granary.Serialization.GranaryJson.Serialize(StatefulSetDefaults.Apply(set)));
    }

    [Fact]
    public void Defaults_RollingUpdateWithoutRollingUpdate_StaysWithoutIt()
    {
        var set = StatefulSetDefaults.Apply(Valid() with { Spec = Valid().Spec with { UpdateStrategy = new StatefulSetUpdateStrategy { Type = "RollingUpdate" } } });

        Assert.Null(set.Spec.UpdateStrategy!.RollingUpdate);
    }
}
