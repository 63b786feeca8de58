namespace Granary.Grains.Scheduling;

/// <summary>
/// kube-scheduler's NodeResourcesBalancedAllocation score: 100 when cpu and memory would be used in the same share
/// after placing the pod, less the further apart they are (one minus their standard deviation).
/// </summary>
public static class BalancedAllocation
{
    public static long Score(NodeSnapshot node, ResourceAmounts request)
    {
        var cpu = Fraction(node.Requested.MilliCpu + request.MilliCpu, node.Allocatable.MilliCpu);
        var memory = Fraction(node.Requested.MemoryBytes + request.MemoryBytes, node.Allocatable.MemoryBytes);
        // With one resource (or none) offered, the deviation is 0, as in kube.
        var deviation = cpu is { } c && memory is { } m ? Math.Abs((c - m) / 2) : 0;
        return (long)((1 - deviation) * LeastAllocated.MaxScore);
    }

    private static double? Fraction(long requested, long allocatable) =>
        allocatable <= 0 ? null : Math.Min(1.0, (double)requested / allocatable);
}
