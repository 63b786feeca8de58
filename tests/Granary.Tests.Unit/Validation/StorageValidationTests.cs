using System.Collections.Immutable;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class StorageValidationTests
{
    private static ImmutableSortedDictionary<string, Quantity> Storage(string amount) =>
        ImmutableSortedDictionary<string, Quantity>.Empty.Add("storage", new Quantity(amount));

    private static PersistentVolumeClaim Claim() => new()
    {
        Metadata = new ObjectMeta { Name = "data", Namespace = "default" },
        Spec = new PersistentVolumeClaimSpec
        {
            AccessModes = [AccessModes.ReadWriteOnce],
            Resources = new VolumeResourceRequirements { Requests = Storage("1Gi") },
            StorageClassName = "local-path",
            VolumeMode = VolumeModes.Filesystem,
        },
    };

    private static PersistentVolume Volume() => new()
    {
        Metadata = new ObjectMeta { Name = "pv1" },
        Spec = new PersistentVolumeSpec
        {
            Capacity = Storage("1Gi"),
            AccessModes = [AccessModes.ReadWriteOnce],
            PersistentVolumeReclaimPolicy = ReclaimPolicies.Retain,
            VolumeMode = VolumeModes.Filesystem,
            HostPath = new HostPathVolumeSource { Path = "/srv/pv1", Type = "DirectoryOrCreate" },
        },
    };

    private static StorageClass Class() => new()
    {
        Metadata = new ObjectMeta { Name = "fast" },
        Provisioner = "rancher.io/local-path",
        ReclaimPolicy = ReclaimPolicies.Delete,
        VolumeBindingMode = VolumeBindingModes.WaitForFirstConsumer,
    };

    private static PersistentVolumeClaim WithSpec(PersistentVolumeClaim c, Func<PersistentVolumeClaimSpec, PersistentVolumeClaimSpec> change) =>
        c with { Spec = change(c.Spec) };

    private static PersistentVolume WithSpec(PersistentVolume v, Func<PersistentVolumeSpec, PersistentVolumeSpec> change) =>
        v with { Spec = change(v.Spec) };

    public static TheoryData<Case<PersistentVolumeClaim>> Claims => new()
    {
        new("valid", Claim()),
        new("no access modes", WithSpec(Claim(), s => s with { AccessModes = null }), "spec.accessModes: Required value: at least 1 access mode is required"),
        new("unknown access mode", WithSpec(Claim(), s => s with { AccessModes = ["ReadWriteSometimes"] }),
            "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\""),
        new("ReadWriteOncePod with others", WithSpec(Claim(), s => s with { AccessModes = [AccessModes.ReadWriteOncePod, AccessModes.ReadWriteOnce] }),
            "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"),
        new("no storage request", WithSpec(Claim(), s => s with { Resources = new VolumeResourceRequirements() }), "spec.resources[storage]: Required value"),
        new("zero storage", WithSpec(Claim(), s => s with { Resources = new VolumeResourceRequirements { Requests = Storage("0") } }),
            "spec.resources[storage]: Invalid value: \"0\": must be greater than zero"),
        new("negative storage", WithSpec(Claim(), s => s with { Resources = new VolumeResourceRequirements { Requests = Storage("-1Gi") } }),
            "spec.resources[storage]: Invalid value: \"-1Gi\": must be greater than or equal to 0"),
        new("storage not a quantity", WithSpec(Claim(), s => s with { Resources = new VolumeResourceRequirements { Requests = Storage("lots") } }),
            "spec.resources[storage]: Invalid value: \"lots\": " + Quantity.FormatRule),
        new("bad class name", WithSpec(Claim(), s => s with { StorageClassName = "Fast_Disks" }),
            "spec.storageClassName: Invalid value: \"Fast_Disks\": " + KubernetesText.Subdomain),
        new("empty class means none", WithSpec(Claim(), s => s with { StorageClassName = "" })),
        new("unknown volume mode", WithSpec(Claim(), s => s with { VolumeMode = "Tape" }),
            "spec.volumeMode: Unsupported value: \"Tape\": supported values: \"Block\", \"Filesystem\""),
        new("data source without name", WithSpec(Claim(), s => s with { DataSource = new TypedLocalObjectReference { Kind = "PersistentVolumeClaim" } }),
            "spec.dataSource.name: Required value"),
        new("data source of another kind in the core group", WithSpec(Claim(), s => s with { DataSource = new TypedLocalObjectReference { Kind = "Pod", Name = "x" } }),
            "spec.dataSource: Invalid value: \"Pod\": must be 'PersistentVolumeClaim' when referencing the default apiGroup"),
    };

    [Theory]
    [MemberData(nameof(Claims))]
    public void Validate_Claim_ReportsKubernetesErrors(Case<PersistentVolumeClaim> c) =>
        Assert.Equal(c.Expected, PersistentVolumeClaimValidation.Validate(c.Input).Select(e => e.ToString()));

    [Fact]
    public void ValidateUpdate_ClaimSpecChanged_IsForbidden()
    {
        var old = Claim();
        var errors = PersistentVolumeClaimValidation.ValidateUpdate(old, WithSpec(old, s => s with { AccessModes = [AccessModes.ReadWriteMany] }));
        Assert.Equal([$"spec: Forbidden: {PersistentVolumeClaimValidation.SpecImmutable}"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ValidateUpdate_VolumeNameSetOnce_IsAllowedAndThenFixed()
    {
        var old = Claim();
        var bound = WithSpec(old, s => s with { VolumeName = "pvc-1" });
        Assert.Empty(PersistentVolumeClaimValidation.ValidateUpdate(old, bound));
        Assert.Equal([$"spec: Forbidden: {PersistentVolumeClaimValidation.SpecImmutable}"],
            PersistentVolumeClaimValidation.ValidateUpdate(bound, WithSpec(bound, s => s with { VolumeName = "pvc-2" })).Select(e => e.ToString()));
    }

    [Fact]
    public void ValidateUpdate_GrowingABoundClaim_IsAllowedButNotShrinking()
    {
        var bound = WithSpec(Claim(), s => s with { VolumeName = "pvc-1" }) with { Status = new PersistentVolumeClaimStatus { Phase = VolumePhases.Bound } };
        var grown = WithSpec(bound, s => s with { Resources = new VolumeResourceRequirements { Requests = Storage("2Gi") } });
        var shrunk = WithSpec(bound, s => s with { Resources = new VolumeResourceRequirements { Requests = Storage("512Mi") } });

        Assert.Empty(PersistentVolumeClaimValidation.ValidateUpdate(bound, grown));
        Assert.Equal(["spec.resources.requests.storage: Forbidden: field can not be less than previous value"],
            PersistentVolumeClaimValidation.ValidateUpdate(bound, shrunk).Select(e => e.ToString()));
    }

    [Fact]
    public void ValidateUpdate_GrowingAPendingClaim_IsForbidden()
    {
        var pending = Claim();
        var grown = WithSpec(pending, s => s with { Resources = new VolumeResourceRequirements { Requests = Storage("2Gi") } });
        Assert.Equal([$"spec: Forbidden: {PersistentVolumeClaimValidation.SpecImmutable}"],
            PersistentVolumeClaimValidation.ValidateUpdate(pending, grown).Select(e => e.ToString()));
    }

    public static TheoryData<Case<PersistentVolume>> Volumes => new()
    {
        new("valid", Volume()),
        new("no access modes", WithSpec(Volume(), s => s with { AccessModes = [] }), "spec.accessModes: Required value"),
        new("no capacity", WithSpec(Volume(), s => s with { Capacity = null }),
            "spec.capacity: Required value", "spec.capacity: Unsupported value: \"\": supported values: \"storage\""),
        new("zero capacity", WithSpec(Volume(), s => s with { Capacity = Storage("0") }), "spec.capacity[storage]: Invalid value: \"0\": must be greater than zero"),
        new("unknown reclaim policy", WithSpec(Volume(), s => s with { PersistentVolumeReclaimPolicy = "Shred" }),
            "spec.persistentVolumeReclaimPolicy: Unsupported value: \"Shred\": supported values: \"Delete\", \"Recycle\", \"Retain\""),
        new("no source", WithSpec(Volume(), s => s with { HostPath = null }),
            "spec: Required value: must specify a volume type (hostPath or local; other volume types are not served)"),
        new("two sources", WithSpec(Volume(), s => s with
        {
            Local = new LocalVolumeSource { Path = "/srv/x" },
            NodeAffinity = new VolumeNodeAffinity
            {
                Required = new NodeSelector { NodeSelectorTerms = [new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = "kubernetes.io/hostname", Operator = "In", Values = ["n1"] }] }] },
            },
        }), "spec.local: Forbidden: may not specify more than 1 volume type"),
        new("local without node affinity", WithSpec(Volume(), s => s with { HostPath = null, Local = new LocalVolumeSource { Path = "/srv/x" } }),
            "spec.nodeAffinity: Required value: Local volume requires node affinity"),
        new("path with backsteps", WithSpec(Volume(), s => s with { HostPath = new HostPathVolumeSource { Path = "/srv/../etc" } }),
            "spec.hostPath.path: Invalid value: \"/srv/../etc\": must not contain '..'"),
        new("unknown hostPath type", WithSpec(Volume(), s => s with { HostPath = new HostPathVolumeSource { Path = "/srv", Type = "Folder" } }),
            "spec.hostPath.type: Unsupported value: \"Folder\": supported values: \"\", \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\""),
        new("node affinity without terms", WithSpec(Volume(), s => s with { NodeAffinity = new VolumeNodeAffinity { Required = new NodeSelector() } }),
            "spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term"),
        new("node affinity with a bad operator", WithSpec(Volume(), s => s with
        {
            NodeAffinity = new VolumeNodeAffinity
            {
                Required = new NodeSelector { NodeSelectorTerms = [new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = "zone", Operator = "Near" }] }] },
            },
        }), "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator"),
    };

    [Theory]
    [MemberData(nameof(Volumes))]
    public void Validate_Volume_ReportsKubernetesErrors(Case<PersistentVolume> c) =>
        Assert.Equal(c.Expected, PersistentVolumeValidation.Validate(c.Input).Select(e => e.ToString()));

    [Fact]
    public void ValidateUpdate_VolumeSourceChanged_IsForbidden()
    {
        var old = Volume();
        var errors = PersistentVolumeValidation.ValidateUpdate(old, WithSpec(old, s => s with { HostPath = new HostPathVolumeSource { Path = "/srv/other" } }));
        Assert.Equal(["spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation"], errors.Select(e => e.ToString()));
    }

    public static TheoryData<Case<StorageClass>> Classes => new()
    {
        new("valid", Class()),
        new("no provisioner", Class() with { Provisioner = "" }, "provisioner: Required value"),
        new("bad provisioner", Class() with { Provisioner = "local path" },
            "provisioner: Invalid value: \"local path\": " + KubernetesText.QualifiedName),
        new("Recycle", Class() with { ReclaimPolicy = ReclaimPolicies.Recycle },
            "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\""),
        new("unknown binding mode", Class() with { VolumeBindingMode = "Eventually" },
            "volumeBindingMode: Unsupported value: \"Eventually\": supported values: \"Immediate\", \"WaitForFirstConsumer\""),
    };

    [Theory]
    [MemberData(nameof(Classes))]
    public void Validate_StorageClass_ReportsKubernetesErrors(Case<StorageClass> c) =>
        Assert.Equal(c.Expected, StorageClassValidation.Validate(c.Input).Select(e => e.ToString()));

    [Fact]
    public void ValidateUpdate_StorageClassChanged_IsForbiddenField()
    {
        var old = Class();
        var updated = old with
        {
            Provisioner = "example.com/nfs",
            ReclaimPolicy = ReclaimPolicies.Retain,
            VolumeBindingMode = VolumeBindingModes.Immediate,
            Parameters = ImmutableSortedDictionary<string, string>.Empty.Add("path", "/srv"),
        };

        Assert.Equal(
        [
            "parameters: Forbidden: updates to parameters are forbidden.",
            "provisioner: Forbidden: updates to provisioner are forbidden.",
            "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
            "volumeBindingMode: Invalid value: \"Immediate\": field is immutable",
        ], StorageClassValidation.ValidateUpdate(old, updated).Select(e => e.ToString()));
    }
}
