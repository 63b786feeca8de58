using System.Globalization;

namespace Granary.Bench;

/// <summary>A process's CPU time so far (user + system, from /proc/PID/stat) and resident memory now.</summary>
internal readonly record struct ProcessUsage(TimeSpan Cpu, long RssBytes)
{
    // Linux reports utime and stime in clock ticks of USER_HZ, which is 100 on every architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static ProcessUsage Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ProcessUsage(TimeSpan.FromSeconds(ticks / TicksPerSecond), ProcessHelpers.RssBytes(pid) ?? 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Gone (or never readable): counts as nothing rather than ending the run.
            return default;
        }
    }

    public static ProcessUsage Sum(IEnumerable<int> pids) =>
        pids.Select(Read).Aggregate(default(ProcessUsage), (a, b) => new ProcessUsage(a.Cpu + b.Cpu, a.RssBytes + b.RssBytes));
}
