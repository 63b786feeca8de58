namespace Granary.Grains.Scheduling;

/// <summary>
/// kube-scheduler's NodeResourcesFit LeastAllocated score: the share of cpu and memory left free
/// after placing the pod, 0 to 100, averaged over the resources the node offers at all.
/// </summary>
public static class LeastAllocated
{
    public const long MaxScore = 100;

    public static long Score(NodeSnapshot node, ResourceAmounts request)
    {
        long sum = 0, count = 0;
        if (node.Allocatable.MilliCpu > 0)
        {
            sum += ResourceScore(node.Allocatable.MilliCpu, node.Requested.MilliCpu + request.MilliCpu);
            count++;
        }
        if (node.Allocatable.MemoryBytes > 0)
        {
            sum += ResourceScore(node.Allocatable.MemoryBytes, node.Requested.MemoryBytes + request.MemoryBytes);
            count++;
        }
        return count == 0 ? 0 : sum / count;
    }

    private static long ResourceScore(long allocatable, long requested)
    {
        if (requested >= allocatable)
            return 0;
        var free = allocatable - requested;
        // Exact in long up to ~92 PB; beyond that a double is close enough and cannot overflow.
        return free <= long.MaxValue / MaxScore
            ? free * MaxScore / allocatable
            : (long)((double)free * MaxScore / allocatable);
    }
}
