using Granary.Grains.Scheduling;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

public class NodeSnapshotTests
{
    [Theory]
    [InlineData(null, 1)]
    [InlineData("Pending", 1)]
    [InlineData("Running", 1)]
    [InlineData("Unknown", 1)]
    [InlineData("Succeeded", 0)]
    [InlineData("Failed", 0)]
    public void Build_BoundPodByPhase_CountsOnlyNonTerminal(string? phase, long counted)
    {
        var node = Snapshot(Node("n"), Pod("p", "100m", "1Mi", nodeName: "n", phase: phase));

        Assert.Equal(new ResourceAmounts(100 * counted, 1024 * 1024 * counted, counted), node.Requested);
        Assert.Equal(counted, node.PodCount);
    }

    [Fact]
    public void Build_PodsOnSeveralNodes_SumsPerNodeAndIgnoresOthers()
    {
        var snapshots = NodeSnapshot.Build(
            [Node("b"), Node("a")],
            [
                Pod("p1", "100m", nodeName: "a"),
                Pod("p2", "200m", nodeName: "a"),
                Pod("p3", "300m", nodeName: "b"),
                Pod("p4", "400m", nodeName: "gone"),
                Pod("p5", "500m"),
            ]);

        Assert.Equal(["a", "b"], snapshots.Select(s => s.Name));
        Assert.Equal(new ResourceAmounts(300, 0, 2), snapshots[0].Requested);
        Assert.Equal(new ResourceAmounts(300, 0, 1), snapshots[1].Requested);
    }

    [Fact]
    public void Build_Node_ReadsAllocatableLabelsAndFilteringTaints()
    {
        var node = Snapshot(Node("n", "2", "1Gi", "30", labels: Labels(("zone", "a")), taints:
        [
            new() { Key = "soft", Effect = "PreferNoSchedule" },
            new() { Key = "hard", Value = "1", Effect = "NoSchedule" },
        ]));

        Assert.Equal(new ResourceAmounts(2000, 1024 * 1024 * 1024, 30), node.Allocatable);
        Assert.Equal("a", node.Labels["zone"]);
        Assert.Equal("hard", Assert.Single(node.FilteringTaints).Taint.Key);
        Assert.Equal("node(s) had untolerated taint {hard: 1}", node.FilteringTaints[0].Reason);
    }

    [Fact]
    public void Assume_Pod_AddsItsRequests()
    {
        var node = Snapshot(Node("n"), Pod("bound", "250m", "1Ki", nodeName: "n"));

        node.Assume(Pod("p", "500m", "2Ki"));

        Assert.Equal(new ResourceAmounts(750, 3072, 2), node.Requested);
    }
}
