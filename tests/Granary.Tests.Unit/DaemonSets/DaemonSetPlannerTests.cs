using System.Collections.Immutable;
using Granary.Grains.DaemonSets;
using Granary.Grains.Validation;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Tests.Unit.DaemonSets;

/// <summary>The daemon controller's decisions, in the style of kube's daemon_controller_test and update_test.</summary>
public class DaemonSetPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);
    private const string NewHash = "new";
    private const string OldHash = "old";
    private static readonly ImmutableDictionary<string, FailedPodBackoff> NoBackoff = ImmutableDictionary<string, FailedPodBackoff>.Empty;

    private static DaemonSet Ds(Func<PodSpec, PodSpec>? spec = null, DaemonSetUpdateStrategy? strategy = null, int minReady = 0)
    {
        var ds = new DaemonSet
        {
            Metadata = new ObjectMeta { Name = "agent", Namespace = "default", Uid = "ds-uid", Generation = 2 },
            Spec = new DaemonSetSpec
            {
                Selector = new LabelSelectorSpec { MatchLabels = Labels("app", "agent") },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = Labels("app", "agent") },
                    Spec = (spec ?? (s => s))(new PodSpec { Containers = [new Container { Name = "agent", Image = "local/busybox:1" }] }),
                },
                UpdateStrategy = strategy,
                MinReadySeconds = minReady,
            },
        };
        return DaemonSetDefaults.Apply(ds);
    }

    private static DaemonSetUpdateStrategy Rolling(IntOrString maxUnavailable, IntOrString maxSurge) => new()
    {
        Type = DaemonSetUpdateStrategy.RollingUpdateType,
        RollingUpdate = new RollingUpdateDaemonSet { MaxUnavailable = maxUnavailable, MaxSurge = maxSurge },
    };

    private static ImmutableSortedDictionary<string, string> Labels(string key, string value) => ImmutableSortedDictionary<string, string>.Empty.Add(key, value);

    private static Node Node(string name, string? label = null, params Taint[] taints) => new()
    {
        Metadata = new ObjectMeta { Name = name, Labels = label is null ? null : Labels("disk", label) },
        Spec = new NodeSpec { Taints = taints.Length == 0 ? null : [.. taints] },
    };

    private static Pod Pod(string name, string node, string hash = NewHash, string phase = "Running", bool ready = true, int ageSeconds = 60,
        bool deleting = false, bool bound = true)
    {
        var pod = DaemonPods.NewPod(Ds(), hash, node, name);
        return pod with
        {
            Metadata = pod.Metadata with { CreationTimestamp = Now.AddSeconds(-ageSeconds), DeletionTimestamp = deleting ? Now : null, Uid = name },
            Spec = bound ? pod.Spec with { NodeName = node } : pod.Spec,
            Status = new PodStatus
            {
                Phase = phase,
                Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = Now.AddSeconds(-ageSeconds) }],
            },
        };
    }

    private static DaemonSetSync Plan(DaemonSet ds, Node[] nodes, Pod[] pods, ImmutableDictionary<string, FailedPodBackoff>? backoff = null) =>
        DaemonSetPlanner.Plan(ds, NewHash, nodes, pods, backoff ?? NoBackoff, Now);

    private static string[] Deleted(DaemonSetSync sync) => [.. sync.ToDelete.Select(d => d.Pod.Metadata.Name!).Order(StringComparer.Ordinal)];

    [Fact]
    public void NoPods_OnePodPerNode()
    {
        var sync = Plan(Ds(), [Node("n1"), Node("n2"), Node("n3")], []);

        Assert.Equal(["n1", "n2", "n3"], sync.NodesToCreate);
        Assert.Empty(sync.ToDelete);
        Assert.Equal((3, 0, 0), (sync.Status.DesiredNumberScheduled, sync.Status.CurrentNumberScheduled, sync.Status.NumberAvailable));
    }

    [Fact]
    public void NodeSelector_OnlyMatchingNodes_AndAPodElsewhereIsMisscheduledAndDeleted()
    {
        var ds = Ds(s => s with { NodeSelector = Labels("disk", "ssd") });

        var sync = Plan(ds, [Node("n1", "hdd"), Node("n2", "ssd")], [Pod("p1", "n1")]);

        Assert.Equal(["n2"], sync.NodesToCreate);
        Assert.Equal(["p1"], Deleted(sync));
        Assert.Equal((1, 1), (sync.Status.DesiredNumberScheduled, sync.Status.NumberMisscheduled));
    }

    [Fact]
    public void RequiredNodeAffinity_OnlyMatchingNodes()
    {
        var ds = Ds(s => s with
        {
            Affinity = new Affinity
            {
                NodeAffinity = new NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new NodeSelector
                    {
                        NodeSelectorTerms = [new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = "disk", Operator = "In", Values = ["ssd"] }] }],
                    },
                },
            },
        });

        Assert.Equal(["n2"], Plan(ds, [Node("n1", "hdd"), Node("n2", "ssd"), Node("n3")], []).NodesToCreate);
    }

    public static TheoryData<string, Taint, bool, bool> TaintCases => new()
    {
        // case, taint, a new pod goes there, an existing pod stays
        { "untolerated NoSchedule: no new pod, the old one stays", new Taint { Key = "dedicated", Effect = "NoSchedule" }, false, true },
        { "untolerated NoExecute: the pod goes", new Taint { Key = "dedicated", Effect = "NoExecute" }, false, false },
        { "PreferNoSchedule is no obstacle", new Taint { Key = "dedicated", Effect = "PreferNoSchedule" }, true, true },
        { "not-ready is tolerated by every daemon pod", new Taint { Key = DaemonPods.NotReadyTaint, Effect = "NoExecute" }, true, true },
        { "unreachable is tolerated by every daemon pod", new Taint { Key = DaemonPods.UnreachableTaint, Effect = "NoExecute" }, true, true },
        { "cordoned (unschedulable) is tolerated", new Taint { Key = DaemonPods.UnschedulableTaint, Effect = "NoSchedule" }, true, true },
        { "memory pressure is tolerated", new Taint { Key = DaemonPods.MemoryPressureTaint, Effect = "NoSchedule" }, true, true },
        { "network-unavailable is not, without hostNetwork", new Taint { Key = DaemonPods.NetworkUnavailableTaint, Effect = "NoSchedule" }, false, true },
    };

    [Theory]
    [MemberData(nameof(TaintCases))]
    public void Taints_DecideWhereDaemonPodsRunAndStay(string @case, Taint taint, bool shouldRun, bool shouldContinue)
    {
        Assert.Equal((shouldRun, shouldContinue), DaemonPods.Eligibility(Ds(), Node("n1", null, taint)));
        var empty = Plan(Ds(), [Node("n1", null, taint)], []);
        var occupied = Plan(Ds(), [Node("n1", null, taint)], [Pod("p1", "n1")]);
        Assert.True(shouldRun == (empty.NodesToCreate.Count == 1), @case);
        Assert.True(shouldContinue == (occupied.ToDelete.Count == 0), @case);
    }

    [Fact]
    public void TemplateToleration_LetsThePodOnATaintedNode()
    {
        var ds = Ds(s => s with { Tolerations = [new Toleration { Key = "dedicated", Operator = "Exists" }] });

        Assert.Equal(["n1"], Plan(ds, [Node("n1", null, new Taint { Key = "dedicated", Effect = "NoExecute" })], []).NodesToCreate);
    }

    [Fact]
    public void HostNetworkPod_ToleratesNetworkUnavailable()
    {
        var ds = Ds(s => s with { HostNetwork = true });

        Assert.Equal((true, true), DaemonPods.Eligibility(ds, Node("n1", null, new Taint { Key = DaemonPods.NetworkUnavailableTaint, Effect = "NoSchedule" })));
    }

    [Fact]
    public void NewPod_NamesItsNodeByAffinity_WithDaemonTolerationsHashAndOwner()
    {
        var pod = DaemonPods.NewPod(Ds(s => s with { Tolerations = [new Toleration { Key = "x", Operator = "Exists" }] }), "h1", "n2", "agent-abcde");

        var term = Assert.Single(pod.Spec.Affinity!.NodeAffinity!.RequiredDuringSchedulingIgnoredDuringExecution!.NodeSelectorTerms);
        var field = Assert.Single(term.MatchFields!);
        Assert.Equal(("metadata.name", "In", "n2"), (field.Key, field.Operator, Assert.Single(field.Values!)));
        Assert.Null(pod.Spec.NodeName);
        Assert.Equal("n2", DaemonPods.TargetNode(pod));
        Assert.Equal("h1", pod.Metadata.Labels![ControllerHistory.HashLabel]);
        Assert.Equal("agent", pod.Metadata.Labels["app"]);
        Assert.Equal(("DaemonSet", "agent", "ds-uid", true), pod.Metadata.OwnerReferences!.Select(o => (o.Kind, o.Name, o.Uid, o.Controller == true)).Single());
        Assert.Equal(
            ["x::", $"{DaemonPods.NotReadyTaint}:NoExecute:", $"{DaemonPods.UnreachableTaint}:NoExecute:", $"{DaemonPods.DiskPressureTaint}:NoSchedule:",
             $"{DaemonPods.MemoryPressureTaint}:NoSchedule:", $"{DaemonPods.PidPressureTaint}:NoSchedule:", $"{DaemonPods.UnschedulableTaint}:NoSchedule:"],
            pod.Spec.Tolerations!.Select(t => $"{t.Key}:{t.Effect}:{t.TolerationSeconds}"));
    }

    [Fact]
    public void PodOnADeletedNode_IsDeletedAtOnce_AndAnUnboundOneNormally()
    {
        var sync = Plan(Ds(), [Node("n1")], [Pod("p1", "n1"), Pod("gone", "n9"), Pod("unbound", "n8", bound: false)]);

        Assert.Equal(["gone", "unbound"], Deleted(sync));
        Assert.Equal([true, false], sync.ToDelete.OrderBy(d => d.Pod.Metadata.Name, StringComparer.Ordinal).Select(d => d.Force));
        Assert.Equal(1, sync.Status.DesiredNumberScheduled);
    }

    [Fact]
    public void FailedPod_IsDeletedWithBackoff()
    {
        var failed = Pod("p1", "n1", phase: "Failed");

        var first = Plan(Ds(), [Node("n1")], [failed]);
        Assert.Equal(["p1"], Deleted(first));
        Assert.Equal("n1", first.ToDelete[0].FailedOnNode);
        Assert.Equal(new FailedPodBackoff(TimeSpan.FromSeconds(1), Now), first.Backoff["n1"]);

        // It failed again within its back-off: left alone, looked at again when the back-off ends.
        var again = Plan(Ds(), [Node("n1")], [failed], first.Backoff);
        Assert.Empty(again.ToDelete);
        Assert.Equal(Now.AddSeconds(1), again.RecheckAt);

        var later = DaemonSetPlanner.Plan(Ds(), NewHash, [Node("n1")], [failed], first.Backoff, Now.AddSeconds(2));
        Assert.Equal(["p1"], Deleted(later));
        Assert.Equal(TimeSpan.FromSeconds(2), later.Backoff["n1"].Delay);
    }

    [Fact]
    public void FailedPodBeingDeleted_DoesNotCount_SoTheNodeGetsANewPod()
    {
        var sync = Plan(Ds(), [Node("n1")], [Pod("p1", "n1", phase: "Failed", deleting: true)]);

        Assert.Equal(["n1"], sync.NodesToCreate);
    }

    [Fact]
    public void TerminatingPod_StillHoldsItsNode()
    {
        var sync = Plan(Ds(), [Node("n1")], [Pod("p1", "n1", deleting: true)]);

        Assert.Empty(sync.NodesToCreate);
        Assert.Empty(sync.ToDelete);
    }

    [Fact]
    public void TwoPodsOnANode_WithoutSurge_TheNewerGoes()
    {
        var sync = Plan(Ds(), [Node("n1")], [Pod("older", "n1", ageSeconds: 100), Pod("newer", "n1", ageSeconds: 10)]);

        Assert.Equal(["newer"], Deleted(sync));
    }

    [Fact]
    public void Status_CountsAsKube()
    {
        var ds = Ds(minReady: 30);
        var pods = new[]
        {
            Pod("available", "n1", ageSeconds: 60),
            Pod("ready-not-available", "n2", ageSeconds: 10),
            Pod("not-ready-old", "n3", hash: OldHash, ready: false),
        };

        var sync = Plan(ds, [Node("n1"), Node("n2"), Node("n3"), Node("n4")], pods);

        var s = sync.Status;
        Assert.Equal((4, 3, 0, 2, 1, 3, 2), (s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberMisscheduled, s.NumberReady, s.NumberAvailable, s.NumberUnavailable, s.UpdatedNumberScheduled));
        Assert.Equal(2, s.ObservedGeneration);
        Assert.Equal(Now.AddSeconds(20).AddTicks(1), sync.RecheckAt);
        Assert.False(sync.Converged);
    }

    [Fact]
    public void Converged_WhenEveryNodeRunsAnAvailableUpdatedPod()
    {
        var sync = Plan(Ds(), [Node("n1"), Node("n2")], [Pod("a", "n1"), Pod("b", "n2")]);

        Assert.True(sync.Converged);
        Assert.Null(sync.RecheckAt);
    }

    public static TheoryData<string, string[], string[]> MaxUnavailableCases => new()
    {
        // case, pods on n1..n3 as hash:ready, expected deletions (maxUnavailable 1)
        { "all old and available: one is replaced", ["old:ready", "old:ready", "old:ready"], ["p1"] },
        { "a new pod not yet available holds the budget", ["new:unready", "old:ready", "old:ready"], [] },
        { "an unavailable old pod is replaced whatever the budget", ["new:unready", "old:unready", "old:ready"], ["p2"] },
        { "new available: the next old one goes", ["new:ready", "old:ready", "old:ready"], ["p2"] },
        { "done", ["new:ready", "new:ready", "new:ready"], [] },
    };

    [Theory]
    [MemberData(nameof(MaxUnavailableCases))]
    public void RollingUpdate_MaxUnavailable_ReplacesWithinTheBudget(string @case, string[] pods, string[] expected)
    {
        var sync = Plan(Ds(strategy: Rolling(1, 0)), [Node("n1"), Node("n2"), Node("n3")], Pods(pods));

        Assert.True(expected.SequenceEqual(Deleted(sync)), $"{@case}: {string.Join(",", Deleted(sync))}");
        Assert.Empty(sync.NodesToCreate);
    }

    [Fact]
    public void RollingUpdate_MaxUnavailablePercent_RoundsUp()
    {
        var sync = Plan(Ds(strategy: Rolling("50%", 0)), [Node("n1"), Node("n2"), Node("n3")], Pods(["old:ready", "old:ready", "old:ready"]));

        Assert.Equal(["p1", "p2"], Deleted(sync));
        Assert.Equal((0, 2), DaemonSetPlanner.Limits(Ds(strategy: Rolling("50%", 0)), 3));
    }

    public static TheoryData<string, string[], string[], string[]> MaxSurgeCases => new()
    {
        // case, pods per node (n1..n3; "a+b" for two pods on one node), nodes to create, pods to delete (maxSurge 1)
        { "all old: the new pod starts first on one node", ["old:ready", "old:ready", "old:ready"], ["n1"], [] },
        { "surged pod not available yet: wait", ["old:ready+new:unready", "old:ready", "old:ready"], [], [] },
        { "surged pod available: its old pod goes", ["old:ready+new:ready", "old:ready", "old:ready"], [], ["p1"] },
        { "an unavailable old pod gets its replacement beyond the surge", ["old:ready+new:unready", "old:unready", "old:ready"], ["n2"], [] },
        { "a not-ready old pod beside a new one goes at once", ["old:unready+new:unready", "new:ready", "new:ready"], [], ["p1"] },
    };

    [Theory]
    [MemberData(nameof(MaxSurgeCases))]
    public void RollingUpdate_MaxSurge_CreatesBeforeDeleting(string @case, string[] pods, string[] create, string[] delete)
    {
        var sync = Plan(Ds(strategy: Rolling(0, 1)), [Node("n1"), Node("n2"), Node("n3")], Pods(pods));

        Assert.True(create.SequenceEqual(sync.NodesToCreate), $"{@case}: create {string.Join(",", sync.NodesToCreate)}");
        Assert.True(delete.SequenceEqual(Deleted(sync)), $"{@case}: delete {string.Join(",", Deleted(sync))}");
    }

    [Fact]
    public void OnDelete_LeavesOutdatedPods_AndGivesADeletedOnesNodeTheNewTemplate()
    {
        var ds = Ds(strategy: new DaemonSetUpdateStrategy { Type = DaemonSetUpdateStrategy.OnDeleteType });

        var sync = Plan(ds, [Node("n1"), Node("n2")], [Pod("p1", "n1", hash: OldHash)]);

        Assert.Empty(sync.ToDelete);
        Assert.Equal(["n2"], sync.NodesToCreate);
        Assert.Equal(0, sync.Status.UpdatedNumberScheduled);
    }

    [Fact]
    public void Limits_NeverBothZero()
    {
        Assert.Equal((0, 1), DaemonSetPlanner.Limits(Ds(strategy: Rolling(0, 0)), 3));
        Assert.Equal((1, 0), DaemonSetPlanner.Limits(Ds(strategy: Rolling(0, "10%")), 3));
    }

    /// <summary>Pods from "hash:ready" per node n1, n2, …; "a+b" puts two on one node (the first older).</summary>
    private static Pod[] Pods(string[] perNode) =>
    [
        .. perNode.SelectMany((text, i) => text.Split('+').Select((one, j) =>
        {
            var (hash, ready) = (one.Split(':')[0], one.Split(':')[1] == "ready");
            return Pod(j == 0 ? $"p{i + 1}" : $"p{i + 1}-{j}", $"n{i + 1}", hash == "new" ? NewHash : OldHash, ready: ready, ageSeconds: 100 - j);
        })),
    ];
}
