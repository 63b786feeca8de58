using Granary.Model;

namespace Granary.Grains.Scheduling;

/// <summary>The resources the scheduler accounts for: cpu in millicores, memory in bytes, and a pod count.</summary>
public readonly record struct ResourceAmounts(long MilliCpu, long MemoryBytes, long Pods)
{
    private const string CpuName = "cpu";
    private const string MemoryName = "memory";
    private const string PodsName = "pods";

    /// <summary>The kubelet's default --max-pods, used when a node reports no pods capacity.</summary>
    public const long DefaultMaxPods = 110;

    public static ResourceAmounts operator +(ResourceAmounts a, ResourceAmounts b) =>
        new(a.MilliCpu + b.MilliCpu, a.MemoryBytes + b.MemoryBytes, a.Pods + b.Pods);

    public static ResourceAmounts operator -(ResourceAmounts a, ResourceAmounts b) =>
        new(a.MilliCpu - b.MilliCpu, a.MemoryBytes - b.MemoryBytes, a.Pods - b.Pods);

    /// <summary>The sum of the containers' requests; a pod always takes one pod slot.</summary>
    public static ResourceAmounts RequestsOf(Pod pod)
    {
        long cpu = 0, memory = 0;
        foreach (var container in pod.Spec.Containers ?? [])
        {
            var requests = container.Resources?.Requests;
            if (requests is null)
                continue;
            if (requests.TryGetValue(CpuName, out var c))
                cpu += c.MilliValue;
            if (requests.TryGetValue(MemoryName, out var m))
                memory += m.Value;
        }
        return new(cpu, memory, 1);
    }

    /// <summary>What a node offers: allocatable, else capacity, per resource (as the kubelet reports either).</summary>
    public static ResourceAmounts AllocatableOf(Node node)
    {
        var allocatable = node.Status?.Allocatable;
        var capacity = node.Status?.Capacity;

        Quantity? Find(string name) =>
            allocatable is not null && allocatable.TryGetValue(name, out var a) ? a
            : capacity is not null && capacity.TryGetValue(name, out var c) ? c
            : null;

        return new(
            Find(CpuName)?.MilliValue ?? 0,
            Find(MemoryName)?.Value ?? 0,
            Find(PodsName)?.Value ?? DefaultMaxPods);
    }
}
