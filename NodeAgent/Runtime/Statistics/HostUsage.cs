using System.Globalization;
using Granary.Metrics;

namespace Granary.NodeAgent.Runtime.Statistics;

/// <summary>
/// The machine's usage from /proc, for the node's metrics: the CPU time of every core but idle and iowait (/proc/stat,
/// in USER_HZ ticks of 10 ms), and memory in use as MemTotal − MemAvailable (/proc/meminfo), which leaves out the page
/// cache the kernel can reclaim, as the kubelet's working set leaves out inactive file pages.
/// </summary>
public static class HostUsage
{
    /// <summary>USER_HZ, the unit of /proc's CPU times; 100 on every Linux architecture .NET runs on.</summary>
    private const ulong NanosecondsPerTick = 10_000_000;

    public static ResourceReading Read() => new(ReadCpuNanoseconds(File.ReadAllText("/proc/stat")), ReadWorkingSet(File.ReadAllText("/proc/meminfo")));

    /// <summary>The "cpu" line: user nice system idle iowait irq softirq steal …; busy time is all but idle and iowait.</summary>
    public static ulong ReadCpuNanoseconds(string procStat)
    {
        var line = procStat.Split('\n').First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var ticks = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var busy = ticks.Select((t, i) => i is 3 or 4 ? 0 : t).Aggregate(0UL, (a, b) => a + b);
        return busy * NanosecondsPerTick;
    }

    public static long ReadWorkingSet(string meminfo)
    {
        var kib = meminfo.Split('\n')
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => long.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
        return (kib["MemTotal"] - kib["MemAvailable"]) * 1024;
    }
}
