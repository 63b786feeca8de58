using System.Diagnostics;

namespace Granary.Bench;

/// <summary>Where a run's pods are: created so far, seen bound, seen Running.</summary>
internal readonly record struct PodCounts(int Created, int Bound, int Running);

/// <summary>One second of a density run: how far it got, and what the silos, hollow processes and Redis used.</summary>
internal sealed record TimelineRow(double Seconds, int Created, int Bound, int Running, double SiloRssMb, double SiloCpuPercent,
    double HollowRssMb, double HollowCpuPercent, double RedisCommandsPerSecond);

/// <summary>
/// Samples the run once a second in the background: pods created (of <c>total</c>, when known), bound and Running, the silos' and hollow processes'
/// RSS and CPU (from /proc) and Redis commands/s (INFO stats), and prints a progress line for each sample.
/// </summary>
internal sealed class DensityTimeline : IAsyncDisposable
{
    private readonly List<TimelineRow> _rows = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public DensityTimeline(long startedAt, Func<PodCounts> counts, IReadOnlyList<int> siloPids, IReadOnlyList<int> hollowPids,
        string redis, int? total, TextWriter output)
    {
        _loop = RunAsync(startedAt, counts, siloPids, hollowPids, redis, total, output);
    }

    public IReadOnlyList<TimelineRow> Rows
    {
        get
        {
            lock (_rows)
                return [.. _rows];
        }
    }

    private async Task RunAsync(long startedAt, Func<PodCounts> counts, IReadOnlyList<int> siloPids, IReadOnlyList<int> hollowPids,
        string redis, int? total, TextWriter output)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var lastAt = Stopwatch.GetTimestamp();
        var lastSilo = ProcessUsage.Sum(siloPids);
        var lastHollow = ProcessUsage.Sum(hollowPids);
        var lastCommands = await RedisStats.CommandsProcessedAsync(redis, _stop.Token);
        try
        {
            while (await tick.WaitForNextTickAsync(_stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                var interval = Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
                var silo = ProcessUsage.Sum(siloPids);
                var hollow = ProcessUsage.Sum(hollowPids);
                var commands = await RedisStats.CommandsProcessedAsync(redis, _stop.Token);
                var pods = counts();
                var row = new TimelineRow(
                    Stopwatch.GetElapsedTime(startedAt, now).TotalSeconds, pods.Created, pods.Bound, pods.Running,
                    silo.RssBytes / 1048576.0, 100 * (silo.Cpu - lastSilo.Cpu).TotalSeconds / interval,
                    hollow.RssBytes / 1048576.0, 100 * (hollow.Cpu - lastHollow.Cpu).TotalSeconds / interval,
                    commands is { } c && lastCommands is { } l ? (c - l) / interval : 0);
                lock (_rows)
                    _rows.Add(row);
                output.WriteLine($"  {row.Seconds,6:0.0} s  created {row.Created}{(total is { } t ? $"/{t}" : "")}  bound {row.Bound}  running {row.Running}  " +
                    $"silo {row.SiloRssMb:0} MB {row.SiloCpuPercent:0}% cpu  hollow {row.HollowRssMb:0} MB {row.HollowCpuPercent:0}% cpu  redis {row.RedisCommandsPerSecond:0} cmd/s");
                (lastAt, lastSilo, lastHollow, lastCommands) = (now, silo, hollow, commands);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped at the end of the run.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
