using Granary.Grains.Scheduling;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

public class NodeSamplingTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(99, 99)]
    [InlineData(100, 100)]
    [InlineData(300, 144)]
    [InlineData(1000, 420)]
    [InlineData(5000, 500)]
    [InlineData(6000, 300)]
    public void NodesToFind_FollowsKubeSchedulerAdaptivePercentage(int nodes, int expected) =>
        Assert.Equal(expected, SchedulingPlanner.NodesToFind(nodes));

    [Fact]
    public void Plan_ManyEqualNodes_EachSearchGoesOnWhereTheLastStopped()
    {
        // 300 nodes: each pod checks 144 of them, so the second pod's sample starts at the 145th node.
        var nodes = Enumerable.Range(0, 300).Select(i => Node($"n{i:D3}")).ToList();
        var pending = Enumerable.Range(0, 300).Select(i => Pod($"p{i:D3}", createdSecond: i)).ToList();

        var plan = SchedulingPlanner.Plan(nodes, [], pending);

        Assert.Equal(300, plan.Assignments.Length);
        Assert.Equal(["n000", "n144"], plan.Assignments.Take(2).Select(a => a.NodeName));
        // Samples overlap, so a node may get a second pod before every node has one, but never a third.
        Assert.True(plan.Assignments.GroupBy(a => a.NodeName).Max(g => g.Count()) <= 2);
    }

    [Fact]
    public void Plan_OnlyNodesBeyondTheSampleFit_SearchGoesOnUntilItFindsThem()
    {
        // 150 full nodes first in name order, then one with room: a sample of 100 nodes must not end the search early.
        var nodes = Enumerable.Range(0, 150).Select(i => Node($"a{i:D3}", pods: "0")).Append(Node("z-free")).ToList();

        var plan = SchedulingPlanner.Plan(nodes, [], [Pod("p")]);

        Assert.Equal("z-free", Assert.Single(plan.Assignments).NodeName);
    }
}
