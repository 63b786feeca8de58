using System.Collections.Immutable;
using Granary.Metrics;

namespace Granary.Grains.Metrics;

/// <summary>
/// metrics-server's arithmetic: the CPU rate between two cumulative readings and the memory of the later one. A pod is
/// served only when every container it had in the later sample was read in both with the same container id (a restarted
/// container's counter began again, so the pair means nothing) and its counter did not go back.
/// </summary>
public static class UsageRates
{
    /// <summary>Null when the samples do not make a window (the later one is not later).</summary>
    public static NodeUsage? Compute(string node, UsageSample earlier, UsageSample later)
    {
        var window = later.Timestamp - earlier.Timestamp;
        if (window <= TimeSpan.Zero)
            return null;
        if (Rate(earlier.Node, later.Node, window) is not { } nodeUsage)
            return null;
        var before = earlier.Containers.ToDictionary(c => (c.PodUid, c.Container));
        var pods = ImmutableArray.CreateBuilder<PodUsage>();
        foreach (var pod in later.Containers.GroupBy(c => c.PodUid))
        {
            var containers = ImmutableArray.CreateBuilder<ContainerUsage>();
            foreach (var c in pod.OrderBy(c => c.Container, StringComparer.Ordinal))
            {
                if (before.GetValueOrDefault((c.PodUid, c.Container)) is { } old && old.ContainerId == c.ContainerId
                    && Rate(old.Usage, c.Usage, window) is { } usage)
                {
                    containers.Add(new ContainerUsage(c.Container, usage));
                }
            }
            if (containers.Count == pod.Count())
            {
                var first = pod.First();
                pods.Add(new PodUsage(first.Namespace, first.Pod, first.PodUid, containers.ToImmutable()));
            }
        }
        return new NodeUsage(node, later.Timestamp, window, nodeUsage, pods.ToImmutable());
    }

    private static Usage? Rate(ResourceReading earlier, ResourceReading later, TimeSpan window)
    {
        if (later.CpuNanoseconds < earlier.CpuNanoseconds)
            return null;
        var nanocores = (later.CpuNanoseconds - earlier.CpuNanoseconds) / window.TotalSeconds;
        return new Usage((long)Math.Round(nanocores), later.MemoryWorkingSetBytes);
    }
}
