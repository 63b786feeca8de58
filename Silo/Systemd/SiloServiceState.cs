using Granary.NodeAgent.Systemd;

namespace Granary.Silo.Systemd;

/// <summary>
/// What the silo tells systemd about itself. READY=1 once every hosted service has started: the Orleans silo has
/// joined the cluster (its start completes when membership lists it Active), the built-in objects and the kubeconfig
/// are written and Kestrel listens, so a unit ordered After= this one finds a serving API. Then a liveness loop beats
/// <see cref="AgentHealth"/> while the cluster's membership lists this silo Active: a silo declared dead, or one whose
/// thread pool no longer runs timers, stops beating, the watchdog pings stop and systemd restarts it. A silo that
/// merely cannot reach Redis stays Active and is left alone: a restart would not bring Redis back.
/// </summary>
internal sealed partial class SiloServiceState(AgentReadiness readiness, AgentHealth health, IClusterMembershipService membership,
    ILocalSiloDetails local, TimeProvider time, ILogger<SiloServiceState> logger) : IHostedLifecycleService, IDisposable
{
    public const string LoopName = "silo-membership";

    /// <summary>How often membership is looked at.</summary>
    public static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the silo may go without being seen Active. Above Orleans' failure detection (a few probe timeouts),
    /// below the unit's WatchdogSec, so a dead silo is restarted within one watchdog period after the cluster noticed.
    /// </summary>
    public static readonly TimeSpan Allowance = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    Task IHostedLifecycleService.StartedAsync(CancellationToken cancellationToken)
    {
        health.Register(LoopName, Allowance);
        _loop = WatchMembershipAsync(_stop.Token);
        readiness.MarkReady();
        LogReady(logger, local.SiloAddress.ToString());
        return Task.CompletedTask;
    }

    async Task IHostedLifecycleService.StoppingAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _loop;
    }

    private async Task WatchMembershipAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(CheckPeriod, time);
        var lastStatus = SiloStatus.Active;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
                if (status == SiloStatus.Active)
                    health.Beat(LoopName);
                if (status != lastStatus)
                {
                    if (status == SiloStatus.Active)
                        LogActiveAgain(logger, local.SiloAddress.ToString());
                    else
                        LogNotActive(logger, local.SiloAddress.ToString(), status.ToString());
                }
                lastStatus = status;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stop.Dispose();
}
