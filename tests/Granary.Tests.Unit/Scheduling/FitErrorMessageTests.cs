using Granary.Grains.Scheduling;

namespace Granary.Tests.Unit.Scheduling;

public class FitErrorMessageTests
{
    [Theory]
    [InlineData(0, "", "no nodes available to schedule pods")]
    [InlineData(1, "Insufficient cpu=1", "0/1 nodes are available: 1 Insufficient cpu.")]
    [InlineData(3, "Insufficient cpu=2|node(s) didn't match Pod's node affinity/selector=1",
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.")]
    [InlineData(2, "Insufficient memory=2|Insufficient cpu=2|Too many pods=1",
        "0/2 nodes are available: 1 Too many pods, 2 Insufficient cpu, 2 Insufficient memory.")]
    [InlineData(12, "node(s) were unschedulable=10|Insufficient cpu=2",
        "0/12 nodes are available: 10 node(s) were unschedulable, 2 Insufficient cpu.")]
    public void Format_Counts_SortsCountedReasonsAsStrings(int nodes, string counts, string expected)
    {
        var reasons = counts.Length == 0
            ? new Dictionary<string, int>()
            : counts.Split('|').Select(c => c.Split('=')).ToDictionary(c => c[0], c => int.Parse(c[1]));

        Assert.Equal(expected, FitErrorMessage.Format(nodes, reasons));
    }
}
