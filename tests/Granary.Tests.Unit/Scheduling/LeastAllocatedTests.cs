using Granary.Grains.Scheduling;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

public class LeastAllocatedTests
{
    [Theory]
    // node cpu, memory | bound cpu, memory | pod cpu, memory | score
    [InlineData("4", "4Gi", null, null, null, null, 100)]
    [InlineData("4", "4Gi", null, null, "1", "1Gi", 75)]
    [InlineData("4", "4Gi", "1", "2Gi", "1", null, 50)]
    [InlineData("4", "4Gi", "1", null, "1", "3Gi", 37)]
    [InlineData("4", "4Gi", "3", "3Gi", "2", "2Gi", 0)]
    [InlineData("4", null, null, null, "1", "1Gi", 75)]
    [InlineData(null, "4Gi", null, null, "1", "1Gi", 75)]
    [InlineData(null, null, null, null, "1", "1Gi", 0)]
    [InlineData("3", "3", null, null, "1", "1", 66)]
    public void Score_Table_AveragesFreeShareOverOfferedResources(
        string? cpu, string? memory, string? boundCpu, string? boundMemory, string? podCpu, string? podMemory, long expected)
    {
        var node = Snapshot(Node("n", cpu, memory), Pod("bound", boundCpu, boundMemory, nodeName: "n"));
        var request = ResourceAmounts.RequestsOf(Pod("p", podCpu, podMemory));

        Assert.Equal(expected, LeastAllocated.Score(node, request));
    }
}
