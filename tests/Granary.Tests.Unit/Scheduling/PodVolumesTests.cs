using System.Collections.Immutable;
using Granary.Grains.Scheduling;
using Granary.Model;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

/// <summary>The planner with pods that use PersistentVolumeClaims: kube-scheduler's VolumeBinding PreFilter and Filter.</summary>
public class PodVolumesTests
{
    private static Node HostNode(string name) => Node(name, labels: Labels((LocalPath.HostnameLabel, name)));

    private static Pod WithClaims(Pod pod, params string[] claims) => pod with
    {
        Spec = pod.Spec with
        {
            Volumes = [.. claims.Select(c => new Volume { Name = $"v-{c}", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = c } })],
        },
    };

    private static PersistentVolumeClaim Claim(string name, string? className = "local-path", string? volume = null, bool deleting = false) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Uid = $"uid-{name}", DeletionTimestamp = deleting ? Epoch : null },
        Spec = new PersistentVolumeClaimSpec
        {
            AccessModes = [AccessModes.ReadWriteOnce],
            Resources = new VolumeResourceRequirements { Requests = ImmutableSortedDictionary<string, Quantity>.Empty.Add("storage", new Quantity("1Gi")) },
            StorageClassName = className,
            VolumeName = volume,
        },
    };

    private static PersistentVolume VolumeOn(string name, string node) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new PersistentVolumeSpec
        {
            NodeAffinity = new VolumeNodeAffinity
            {
                Required = new NodeSelector
                {
                    NodeSelectorTerms = [new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = LocalPath.HostnameLabel, Operator = "In", Values = [node] }] }],
                },
            },
        },
    };

    private static StorageClass Class(string name, string mode = VolumeBindingModes.WaitForFirstConsumer, string provisioner = LocalPath.Provisioner,
        ImmutableList<TopologySelectorTerm>? topologies = null) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Provisioner = provisioner,
        VolumeBindingMode = mode,
        AllowedTopologies = topologies,
    };

    private static StorageSnapshot Storage(IEnumerable<PersistentVolumeClaim> claims, IEnumerable<PersistentVolume>? volumes = null, IEnumerable<StorageClass>? classes = null) => new(
        claims.ToDictionary(c => $"default/{c.Metadata.Name}"),
        (volumes ?? []).ToDictionary(v => v.Metadata.Name!),
        (classes ?? [Class("local-path")]).ToDictionary(c => c.Metadata.Name!));

    public sealed record Row(string Name, StorageSnapshot Storage, string[] Claims, string Expected)
    {
        public override string ToString() => Name;
    }

    /// <summary>Two nodes a and b; the expected outcome is "node" or the pod's unschedulable message.</summary>
    public static TheoryData<Row> Rows => new()
    {
        new("missing claim", Storage([]), ["data"], "0/2 nodes are available: persistentvolumeclaim \"data\" not found."),
        new("claim being deleted", Storage([Claim("data", deleting: true)]), ["data"], "0/2 nodes are available: persistentvolumeclaim \"data\" is being deleted."),
        new("bound to a volume on b", Storage([Claim("data", volume: "pv1")], [VolumeOn("pv1", "b")]), ["data"], "b"),
        new("bound to a volume on a node that is gone", Storage([Claim("data", volume: "pv1")], [VolumeOn("pv1", "c")]), ["data"],
            "0/2 nodes are available: 2 node(s) had volume node affinity conflict."),
        new("bound to a missing volume", Storage([Claim("data", volume: "pv1")]), ["data"], "0/2 nodes are available: persistentvolume \"pv1\" not found."),
        new("unbound, WaitForFirstConsumer", Storage([Claim("data")]), ["data"], "a"),
        new("unbound, Immediate", Storage([Claim("data", "fast")], classes: [Class("fast", VolumeBindingModes.Immediate)]), ["data"],
            "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims."),
        new("unbound without class", Storage([Claim("data", "")]), ["data"], "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims."),
        new("unbound of a missing class", Storage([Claim("data", "gold")]), ["data"], "0/2 nodes are available: storageclass.storage.k8s.io \"gold\" not found."),
        new("unbound of another provisioner", Storage([Claim("data", "nfs")], classes: [Class("nfs", provisioner: "example.com/nfs")]), ["data"],
            "0/2 nodes are available: storageclass \"nfs\" names provisioner \"example.com/nfs\", which is not served here; only rancher.io/local-path provisions volumes."),
        new("unbound, topology admits only b", Storage([Claim("data", "zoned")], classes:
            [Class("zoned", topologies: [new TopologySelectorTerm { MatchLabelExpressions = [new TopologySelectorLabelRequirement { Key = LocalPath.HostnameLabel, Values = ["b"] }] }])]),
            ["data"], "b"),
        new("unbound, topology admits none", Storage([Claim("data", "zoned")], classes:
            [Class("zoned", topologies: [new TopologySelectorTerm { MatchLabelExpressions = [new TopologySelectorLabelRequirement { Key = LocalPath.HostnameLabel, Values = ["z"] }] }])]),
            ["data"], "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind."),
        new("one bound on b, one unbound", Storage([Claim("data", volume: "pv1"), Claim("logs")], [VolumeOn("pv1", "b")]), ["data", "logs"], "b"),
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Plan_PodWithClaims_DecidesAsVolumeBinding(Row row)
    {
        var plan = SchedulingPlanner.Plan([HostNode("a"), HostNode("b")], [], [WithClaims(Pod("p"), row.Claims)], storage: row.Storage);

        var outcome = plan.Assignments.Length == 1 ? plan.Assignments[0].NodeName : Assert.Single(plan.Unschedulable).Message;
        Assert.Equal(row.Expected, outcome);
    }

    [Fact]
    public void Plan_UnboundClaim_IsToBeProvisionedOnTheChosenNode()
    {
        var plan = SchedulingPlanner.Plan([HostNode("a")], [], [WithClaims(Pod("p"), "data")], storage: Storage([Claim("data")]));

        var claim = Assert.Single(Assert.Single(plan.Assignments).Provision);
        Assert.Equal(("default/data", "uid-data"), (claim.Key, claim.Uid));
    }

    [Fact]
    public void Plan_TwoPodsSharingAnUnboundClaim_LandOnOneNode()
    {
        // Without the claim, the second pod would go to the emptier node b.
        var plan = SchedulingPlanner.Plan([HostNode("a"), HostNode("b")], [],
            [WithClaims(Pod("p1", "1", createdSecond: 1), "data"), WithClaims(Pod("p2", "1", createdSecond: 2), "data")],
            storage: Storage([Claim("data")]));

        Assert.Equal(["p1=a", "p2=a"], plan.Assignments.Select(a => $"{a.Name}={a.NodeName}"));
    }

    [Fact]
    public void Plan_NodeShortOfCpu_ReportsTheShortfallNotTheVolume()
    {
        var plan = SchedulingPlanner.Plan([HostNode("a"), Node("b", cpu: "1", labels: Labels((LocalPath.HostnameLabel, "b")))], [],
            [WithClaims(Pod("p", "2"), "data")], storage: Storage([Claim("data", volume: "pv1")], [VolumeOn("pv1", "b")]));

        Assert.Equal("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had volume node affinity conflict.", Assert.Single(plan.Unschedulable).Message);
    }
}
