using Granary.Grains.Scheduling;
using Granary.Model;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

public class SchedulingPlannerTests
{
    [Theory]
    [InlineData("a", "b")]
    [InlineData("b", "a")]
    public void Plan_OneNodeLoaded_PodGoesToEmptierNode(string loaded, string expected)
    {
        var plan = SchedulingPlanner.Plan(
            [Node("a"), Node("b")],
            [Pod("bound", "2", "1Gi", nodeName: loaded)],
            [Pod("p", "500m", "256Mi")]);

        Assert.Equal<Assignment>([new Assignment("default", "p", "uid-p", expected)], plan.Assignments);
        Assert.Empty(plan.Unschedulable);
    }

    [Fact]
    public void Plan_FourEqualPodsOnTwoEqualNodes_SpreadsTwoAndTwo()
    {
        var plan = SchedulingPlanner.Plan(
            [Node("a"), Node("b")], [],
            [Pod("p1", "100m", "64Mi", createdSecond: 1), Pod("p2", "100m", "64Mi", createdSecond: 2),
             Pod("p3", "100m", "64Mi", createdSecond: 3), Pod("p4", "100m", "64Mi", createdSecond: 4)]);

        Assert.Equal(["p1=a", "p2=b", "p3=a", "p4=b"], plan.Assignments.Select(a => $"{a.Name}={a.NodeName}"));
    }

    [Fact]
    public void Plan_EqualScores_PrefersNodeWithFewerPods()
    {
        var plan = SchedulingPlanner.Plan(
            [Node("a"), Node("b")],
            [Pod("x1", nodeName: "a"), Pod("x2", nodeName: "a")],
            [Pod("p")]);

        Assert.Equal("b", Assert.Single(plan.Assignments).NodeName);
    }

    [Theory]
    [InlineData(0, "a")]
    [InlineData(1, "c")]
    [InlineData(2, "b")]
    [InlineData(3, "a")]
    [InlineData(-1, "b")]
    [InlineData(int.MaxValue, "c")]
    [InlineData(int.MinValue, "c")]
    public void Plan_EqualNodes_RotationSeedBreaksTie(int seed, string expected)
    {
        var plan = SchedulingPlanner.Plan([Node("c"), Node("a"), Node("b")], [], [Pod("p", "100m")], seed);

        Assert.Equal(expected, Assert.Single(plan.Assignments).NodeName);
    }

    [Fact]
    public void Plan_TwoPodsNeedingMoreThanHalfOfOneNode_AssumesFirstAndRejectsSecond()
    {
        var plan = SchedulingPlanner.Plan(
            [Node("n", cpu: "1")], [],
            [Pod("second", "600m", createdSecond: 2), Pod("first", "600m", createdSecond: 1)]);

        Assert.Equal<Assignment>([new Assignment("default", "first", "uid-first", "n")], plan.Assignments);
        Assert.Equal<Unschedulable>([new Unschedulable("default", "second", "uid-second", "0/1 nodes are available: 1 Insufficient cpu.")], plan.Unschedulable);
    }

    [Fact]
    public void Plan_SelectorAndCpuFailures_CountsReasonsInMessage()
    {
        var plan = SchedulingPlanner.Plan(
            [Node("a", cpu: "1", labels: Labels(("disk", "hdd"))), Node("b", cpu: "1", labels: Labels(("disk", "ssd"))), Node("c", cpu: "2", labels: Labels(("disk", "ssd")))],
            [Pod("bound", "1500m", nodeName: "c")],
            [Pod("p", "1500m", nodeSelector: Labels(("disk", "ssd")))]);

        Assert.Empty(plan.Assignments);
        Assert.Equal(
            "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.",
            Assert.Single(plan.Unschedulable).Message);
    }

    [Fact]
    public void Plan_EveryKindOfFailure_CountsEachNodeOnce()
    {
        var plan = SchedulingPlanner.Plan(
            [
                Node("unschedulable", unschedulable: true, ready: false),
                Node("not-ready", ready: false),
                Node("tainted", taints: [new Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" }]),
                Node("tainted-empty", taints: [new Taint { Key = "maintenance", Effect = "NoExecute" }]),
                Node("full", cpu: "1", memory: "1Gi", pods: "1"),
            ],
            [Pod("bound", nodeName: "full")],
            [Pod("p", "2", "2Gi")]);

        Assert.Equal(
            "0/5 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods, "
            + "1 node(s) had untolerated taint {dedicated: db}, 1 node(s) had untolerated taint {maintenance: }, "
            + "1 node(s) were not ready, 1 node(s) were unschedulable.",
            Assert.Single(plan.Unschedulable).Message);
    }

    [Fact]
    public void Plan_TaintedNodeAndTolerantPod_PlacesOnlyTolerantPod()
    {
        var plan = SchedulingPlanner.Plan(
            [Node("gpu", taints: [new Taint { Key = "gpu", Value = "true", Effect = "NoSchedule" }])], [],
            [Pod("plain", createdSecond: 1), Pod("tolerant", createdSecond: 2, tolerations: [new Toleration { Key = "gpu", Operator = "Exists" }])]);

        Assert.Equal("tolerant", Assert.Single(plan.Assignments).Name);
        Assert.Equal("0/1 nodes are available: 1 node(s) had untolerated taint {gpu: true}.", Assert.Single(plan.Unschedulable).Message);
    }

    [Theory]
    [InlineData("Succeeded")]
    [InlineData("Failed")]
    public void Plan_TerminalPodsOnNode_AreNotCounted(string phase)
    {
        var plan = SchedulingPlanner.Plan(
            [Node("n", cpu: "1", memory: "1Gi", pods: "1")],
            [Pod("done", "1", "1Gi", nodeName: "n", phase: phase)],
            [Pod("p", "1", "1Gi")]);

        Assert.Equal("n", Assert.Single(plan.Assignments).NodeName);
        Assert.Empty(plan.Unschedulable);
    }

    [Fact]
    public void Plan_PodsCapacityReachedWithinPass_ReportsTooManyPods()
    {
        var plan = SchedulingPlanner.Plan(
            [Node("n", pods: "3")],
            [Pod("bound", nodeName: "n")],
            [Pod("p1", createdSecond: 1), Pod("p2", createdSecond: 2), Pod("p3", createdSecond: 3)]);

        Assert.Equal(["p1", "p2"], plan.Assignments.Select(a => a.Name));
        Assert.Equal<Unschedulable>([new Unschedulable("default", "p3", "uid-p3", "0/1 nodes are available: 1 Too many pods.")], plan.Unschedulable);
    }

    [Fact]
    public void Plan_NodeWithoutPodsCapacity_Holds110Pods()
    {
        var pending = Enumerable.Range(0, 111).Select(i => Pod($"p{i:D3}")).ToList();

        var plan = SchedulingPlanner.Plan([Node("n")], [], pending);

        Assert.Equal(110, plan.Assignments.Length);
        Assert.Equal("p110", Assert.Single(plan.Unschedulable).Name);
    }

    [Fact]
    public void Plan_NoNodes_ReportsNoNodesAvailable()
    {
        var plan = SchedulingPlanner.Plan([], [], [Pod("p")]);

        Assert.Empty(plan.Assignments);
        Assert.Equal<Unschedulable>([new Unschedulable("default", "p", "uid-p", "no nodes available to schedule pods")], plan.Unschedulable);
    }

    [Fact]
    public void Plan_PendingPodNamingANode_IsLeftAlone()
    {
        var plan = SchedulingPlanner.Plan([Node("n", cpu: "1")], [], [Pod("named", "1", nodeName: "elsewhere"), Pod("p", "1")]);

        Assert.Equal<Assignment>([new Assignment("default", "p", "uid-p", "n")], plan.Assignments);
        Assert.Empty(plan.Unschedulable);
    }

    [Fact]
    public void Plan_PendingPods_DecidedByCreationThenNamespaceThenName()
    {
        var plan = SchedulingPlanner.Plan(
            [Node("n", pods: "1")], [],
            [
                Pod("a", ns: "b", createdSecond: 5),
                Pod("z", ns: "a", createdSecond: 5),
                Pod("b", ns: "a", createdSecond: 5),
                Pod("late", ns: "a", createdSecond: 9),
                Pod("old", ns: "z", createdSecond: 1),
            ]);

        Assert.Equal("old", Assert.Single(plan.Assignments).Name);
        Assert.Equal(["a/b", "a/z", "b/a", "a/late"], plan.Unschedulable.Select(u => $"{u.Namespace}/{u.Name}"));
    }

    [Fact]
    public void Plan_ManyPodsOnUnevenNodes_NeverOvercommits()
    {
        Node[] nodes = [Node("small", cpu: "1", memory: "1Gi"), Node("medium", cpu: "2", memory: "2Gi"), Node("large", cpu: "4", memory: "4Gi")];
        var pending = Enumerable.Range(0, 40).Select(i => Pod($"p{i:D2}", "300m", "256Mi", createdSecond: i)).ToList();

        var plan = SchedulingPlanner.Plan(nodes, [], pending);

        var perNode = plan.Assignments.GroupBy(a => a.NodeName).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, perNode["small"]);
        Assert.Equal(6, perNode["medium"]);
        Assert.Equal(13, perNode["large"]);
        Assert.Equal(40 - 22, plan.Unschedulable.Length);
        Assert.All(plan.Unschedulable, u => Assert.Equal("0/3 nodes are available: 3 Insufficient cpu.", u.Message));
    }
}
