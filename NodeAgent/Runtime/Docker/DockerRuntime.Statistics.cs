using Docker.DotNet.Models;
using Granary.Metrics;
using Granary.NodeAgent.Runtime.Statistics;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>Usage from the engine's stats API, one reading per call (one-shot: no wait for a second sample).</summary>
public sealed partial class DockerRuntime : IContainerStatistics
{
    public async Task<ResourceReading?> ContainerUsageAsync(string id, CancellationToken ct)
    {
        ContainerStatsResponse? stats = null;
        try
        {
            await _connection.CallAsync($"stats {id}", (c, t) =>
                c.Containers.GetContainerStatsAsync(id, new ContainerStatsParameters { Stream = false, OneShot = true },
                    new Reading(r => stats = r), t), ct);
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.NotFound)
        {
            return null;
        }
        // A container that is not running reads as zeros with no memory figures.
        if (stats?.MemoryStats is not { Usage: > 0 } memory || stats.CPUStats?.CPUUsage is not { } cpu)
            return null;
        return new ResourceReading(cpu.TotalUsage, WorkingSet(memory.Usage, memory.Stats));
    }

    public ResourceReading NodeUsage(IReadOnlyCollection<ResourceReading> containers) => HostUsage.Read();

    /// <summary>
    /// The kubelet's working set: usage minus inactive file pages (cgroup v2's inactive_file, v1's total_inactive_file),
    /// never below zero.
    /// </summary>
    internal static long WorkingSet(ulong usage, IDictionary<string, ulong>? stats)
    {
        stats ??= new Dictionary<string, ulong>();
        var inactive = stats.TryGetValue("inactive_file", out var v2) ? v2 : stats.TryGetValue("total_inactive_file", out var v1) ? v1 : 0;
        return usage > inactive ? (long)(usage - inactive) : 0;
    }

    /// <summary>Takes the one reading a one-shot stats call delivers, on the caller's thread.</summary>
    private sealed class Reading(Action<ContainerStatsResponse> take) : IProgress<ContainerStatsResponse>
    {
        public void Report(ContainerStatsResponse value) => take(value);
    }
}
