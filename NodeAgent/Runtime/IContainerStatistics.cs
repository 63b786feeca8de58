using Granary.Metrics;

namespace Granary.NodeAgent.Runtime;

/// <summary>
/// What a driver can tell of resource usage, for the metrics API (the kubelet's /metrics/resource). Each reading is a
/// snapshot: cumulative CPU time and the memory working set (usage minus inactive file pages, as the kubelet computes
/// it). A driver without the capability does not implement this interface; its node reports no usage.
/// </summary>
public interface IContainerStatistics
{
    /// <summary>One running container's usage, or null when it is gone or not running. Takes one engine call at most.</summary>
    Task<ResourceReading?> ContainerUsageAsync(string id, CancellationToken ct);

    /// <summary>
    /// The node's usage as this engine's host sees it: the machine's (/proc) for the engines that run on it, the sum of
    /// <paramref name="containers"/> for one that runs nothing.
    /// </summary>
    ResourceReading NodeUsage(IReadOnlyCollection<ResourceReading> containers);
}
