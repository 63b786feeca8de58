using System.Globalization;
using Granary.Metrics;
using Granary.NodeAgent.Runtime.Statistics;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>
/// Usage of a process container from /proc: the CPU time of its main process and the children it waited for (utime,
/// stime, cutime, cstime in ticks of 10 ms) and its resident set as the working set. Children still running are not
/// counted: the driver keeps no cgroup per container.
/// </summary>
public sealed partial class ProcessRuntime : IContainerStatistics
{
    private const ulong NanosecondsPerTick = 10_000_000;

    public Task<ResourceReading?> ContainerUsageAsync(string id, CancellationToken ct)
    {
        if (Find(id)?.Record is not { State: ContainerRunState.Running, Pid: { } pid })
            return Task.FromResult<ResourceReading?>(null);
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14–17 of proc(5), counted here from field 3 (state) as index 0.
            var ticks = fields.Skip(11).Take(4).Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).Aggregate(0UL, (a, b) => a + b);
            var residentPages = long.Parse(File.ReadAllText($"/proc/{pid}/statm").Split(' ')[1], CultureInfo.InvariantCulture);
            return Task.FromResult<ResourceReading?>(new ResourceReading(ticks * NanosecondsPerTick, residentPages * Environment.SystemPageSize));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return Task.FromResult<ResourceReading?>(null); // exited between the record and the read
        }
    }

    public ResourceReading NodeUsage(IReadOnlyCollection<ResourceReading> containers) => HostUsage.Read();
}
