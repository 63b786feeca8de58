using System.Collections.Immutable;
using Granary.Grains.Scheduling;
using Granary.Model;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

/// <summary>kube-scheduler's NodeAffinity plugin: required terms filter, preferred terms score.</summary>
public class NodeAffinityTests
{
    private const string Mismatch = "node(s) didn't match Pod's node affinity/selector";

    private static Pod WithRequired(params NodeSelectorTerm[] terms) => WithRequired(null, terms);

    private static Pod WithRequired(string? cpu, params NodeSelectorTerm[] terms) =>
        Pod("p", cpu, affinity: new() { NodeAffinity = new() { RequiredDuringSchedulingIgnoredDuringExecution = new() { NodeSelectorTerms = [.. terms] } } });

    private static NodeSelectorTerm Expression(string key, string op, params string[] values) =>
        new() { MatchExpressions = [new() { Key = key, Operator = op, Values = values.Length == 0 ? null : [.. values] }] };

    [Theory]
    // operator, values, node labels | expected
    [InlineData("In", "ssd,nvme", "disk=ssd", null)]
    [InlineData("In", "ssd", "disk=hdd", Mismatch)]
    [InlineData("In", "ssd", "", Mismatch)]
    [InlineData("NotIn", "hdd", "disk=ssd", null)]
    [InlineData("NotIn", "hdd", "", null)]
    [InlineData("NotIn", "hdd", "disk=hdd", Mismatch)]
    [InlineData("Exists", "", "disk=x", null)]
    [InlineData("Exists", "", "", Mismatch)]
    [InlineData("DoesNotExist", "", "", null)]
    [InlineData("DoesNotExist", "", "disk=x", Mismatch)]
    [InlineData("Gt", "3", "disk=4", null)]
    [InlineData("Gt", "3", "disk=3", Mismatch)]
    [InlineData("Lt", "3", "disk=2", null)]
    [InlineData("Gt", "3", "disk=many", Mismatch)]
    public void Filter_RequiredExpression_MatchesAsKube(string op, string values, string labels, string? expected)
    {
        var pod = WithRequired(Expression("disk", op, values.Split(',', StringSplitOptions.RemoveEmptyEntries)));
        var node = Node("n", labels: ParseLabels(labels));

        Assert.Equal(expected, NodeFilters.NodeAffinity(Snapshot(node), PodRequirements.Of(pod)));
    }

    [Theory]
    [InlineData("a", null)]
    [InlineData("b", null)]
    [InlineData("c", Mismatch)]
    public void Filter_TermsAreOredAndMatchFieldsNameTheNode(string nodeName, string? expected)
    {
        var pod = WithRequired(
            new NodeSelectorTerm { MatchFields = [new() { Key = "metadata.name", Operator = "In", Values = ["a"] }] },
            Expression("disk", "In", "ssd"));
        var node = Node(nodeName, labels: nodeName == "b" ? Labels(("disk", "ssd")) : null);

        Assert.Equal(expected, NodeFilters.NodeAffinity(Snapshot(node), PodRequirements.Of(pod)));
    }

    [Fact]
    public void Filter_NodeSelectorAndAffinity_BothMustHold()
    {
        var affine = WithRequired(Expression("zone", "In", "z1"));
        var pod = affine with { Spec = affine.Spec with { NodeSelector = Labels(("disk", "ssd")) } };

        Assert.Null(NodeFilters.NodeAffinity(Snapshot(Node("n", labels: Labels(("disk", "ssd"), ("zone", "z1")))), PodRequirements.Of(pod)));
        Assert.Equal(Mismatch, NodeFilters.NodeAffinity(Snapshot(Node("n", labels: Labels(("disk", "ssd"), ("zone", "z2")))), PodRequirements.Of(pod)));
        Assert.Equal(Mismatch, NodeFilters.NodeAffinity(Snapshot(Node("n", labels: Labels(("disk", "hdd"), ("zone", "z1")))), PodRequirements.Of(pod)));
    }

    [Fact]
    public void Plan_MatchFieldsPinToOneNode_OtherNodesReportThePreFilter()
    {
        // A DaemonSet pod pinned to node b, which is full: kube counts the other nodes as left out by the PreFilter.
        var pod = WithRequired("8", new NodeSelectorTerm { MatchFields = [new() { Key = "metadata.name", Operator = "In", Values = ["b"] }] });

        var plan = SchedulingPlanner.Plan([Node("a"), Node("b"), Node("c")], [], [pod]);

        Assert.Equal(
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
            Assert.Single(plan.Unschedulable).Message);
    }

    [Fact]
    public void Plan_MatchFieldsThatContradict_FailsInPreFilter()
    {
        var pod = WithRequired(new NodeSelectorTerm
        {
            MatchFields = [new() { Key = "metadata.name", Operator = "In", Values = ["a"] }, new() { Key = "metadata.name", Operator = "In", Values = ["b"] }],
        });

        var plan = SchedulingPlanner.Plan([Node("a"), Node("b")], [], [pod]);

        Assert.Equal("0/2 nodes are available: pod affinity terms conflict.", Assert.Single(plan.Unschedulable).Message);
    }

    [Fact]
    public void Plan_RequiredAffinityNoMatch_CountsReasonPerNode()
    {
        var plan = SchedulingPlanner.Plan(
            [Node("a", labels: Labels(("zone", "z1"))), Node("b", labels: Labels(("zone", "z2")))], [],
            [WithRequired(Expression("zone", "In", "z3"))]);

        Assert.Equal("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.", Assert.Single(plan.Unschedulable).Message);
    }

    [Theory]
    // weight on the zone=z1 term, weight on the disk=ssd term | expected node
    [InlineData(10, 5, "a")]
    [InlineData(5, 10, "b")]
    [InlineData(5, 6, "b")]
    public void Plan_PreferredTerms_HighestWeightSumWins(int zoneWeight, int diskWeight, string expected)
    {
        var pod = Pod("p", affinity: new()
        {
            NodeAffinity = new()
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new() { Weight = zoneWeight, Preference = Expression("zone", "In", "z1") },
                    new() { Weight = diskWeight, Preference = Expression("disk", "In", "ssd") },
                ],
            },
        });

        var plan = SchedulingPlanner.Plan(
            [Node("a", labels: Labels(("zone", "z1"))), Node("b", labels: Labels(("disk", "ssd"))), Node("c")], [], [pod]);

        Assert.Equal(expected, Assert.Single(plan.Assignments).NodeName);
    }

    [Fact]
    public void Plan_PreferredTermOutweighsLoad()
    {
        // The preferred node is busier; NodeAffinity's weight 2 × 100 beats the resource scores' difference, as in kube.
        var pod = Pod("p", affinity: new()
        {
            NodeAffinity = new() { PreferredDuringSchedulingIgnoredDuringExecution = [new() { Weight = 1, Preference = Expression("disk", "In", "ssd") }] },
        });

        var plan = SchedulingPlanner.Plan(
            [Node("a", labels: Labels(("disk", "ssd"))), Node("b")], [Pod("busy", "2", "2Gi", nodeName: "a")], [pod]);

        Assert.Equal("a", Assert.Single(plan.Assignments).NodeName);
    }

    [Theory]
    [InlineData(new long[] { 2, 5, 0 }, false, new long[] { 40, 100, 0 })]
    [InlineData(new long[] { 0, 0 }, false, new long[] { 0, 0 })]
    [InlineData(new long[] { 1, 0, 2 }, true, new long[] { 50, 100, 0 })]
    [InlineData(new long[] { 0, 0 }, true, new long[] { 100, 100 })]
    public void Normalize_AsKubeDefaultNormalizeScore(long[] raw, bool reverse, long[] expected)
    {
        Assert.Equal(expected, NodeScores.Normalize(raw, reverse));
    }

    [Fact]
    public void Plan_PreferNoScheduleTaint_SteersAwayUnlessTolerated()
    {
        var tainted = Node("a") with { Spec = new() { Taints = ImmutableList.Create(new Taint { Key = "spot", Effect = "PreferNoSchedule" }) } };

        var avoiding = SchedulingPlanner.Plan([tainted, Node("b")], [Pod("busy", "2", "2Gi", nodeName: "b")], [Pod("p")]);
        var tolerating = SchedulingPlanner.Plan([tainted, Node("b")], [Pod("busy", "2", "2Gi", nodeName: "b")],
            [Pod("p", tolerations: [new() { Key = "spot", Operator = "Exists" }])]);

        Assert.Equal("b", Assert.Single(avoiding.Assignments).NodeName);
        Assert.Equal("a", Assert.Single(tolerating.Assignments).NodeName);
    }
}
