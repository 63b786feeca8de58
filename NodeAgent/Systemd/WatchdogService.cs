using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Systemd;

/// <summary>
/// The agent's side of systemd's service protocol after start-up: WATCHDOG=1 every half WATCHDOG_USEC while
/// <see cref="AgentHealth"/> says every loop is alive (so a hung agent is restarted), and STOPPING=1 as soon
/// as the host begins to stop. READY=1 is <see cref="AgentReadiness"/>'s. Does nothing outside systemd.
/// </summary>
public sealed partial class WatchdogService(SdNotifier notifier, AgentHealth health, TimeProvider time, ILogger<WatchdogService> logger)
    : BackgroundService, IHostedLifecycleService
{
    private PeriodicTimer? _timer;
    // STOPPING=1 is the last word: a ping whose tick was already under way when the host began to stop must not follow it.
    private readonly Lock _gate = new();
    private bool _stopping;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Created here, not in ExecuteAsync (which runs on another thread), so the first period starts with the host.
        if (notifier.IsEnabled && notifier.WatchdogInterval is { } interval)
        {
            var period = interval / 2;
            _timer = new PeriodicTimer(period > TimeSpan.FromMilliseconds(1) ? period : TimeSpan.FromMilliseconds(1), time);
            LogWatchdogOn(logger, interval);
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_timer is not { } timer)
            return;
        var withheld = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var stale = health.Stale();
                if (stale.Count == 0)
                {
                    lock (_gate)
                    {
                        if (_stopping)
                            return;
                        notifier.Notify("WATCHDOG=1");
                    }
                    if (withheld)
                        LogHealthyAgain(logger);
                    withheld = false;
                }
                else if (!withheld)
                {
                    withheld = true;
                    LogWithheld(logger, string.Join(", ", stale.Select(l =>
                        $"{l.Name} (last beat {l.SinceLastBeat.TotalSeconds:0.#}s ago, allowed {l.MaxStaleness.TotalSeconds:0.#}s)")));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    Task IHostedLifecycleService.StoppingAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _stopping = true;
            notifier.Notify("STOPPING=1");
        }
        return Task.CompletedTask;
    }

    Task IHostedLifecycleService.StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }
}
