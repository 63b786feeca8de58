using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Pods;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Storage;

/// <summary>
/// Removes the directories of deleted volumes, level-triggered: every 10 s it lists the cluster's PersistentVolumes and
/// lets <see cref="VolumeDirectories"/> sweep the local-path root. So a claim deleted while the agent was down loses its
/// data all the same once the agent is back. Nothing happens before the agent has seen a full desired state, nor when
/// the volumes cannot be listed.
/// </summary>
public sealed partial class LocalPathCleanup(
    ControlPlaneLink link, ControlPlaneRefusals refusals, DesiredPods desired, IOptions<AgentSettings> settings, TimeProvider time, ILogger<LocalPathCleanup> logger)
    : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private readonly VolumeDirectories _directories = new(settings.Value.LocalPathRoot, settings.Value.OrphanGracePeriod, time, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!desired.Synced || link.Client is not { } client)
                continue;
            try
            {
                var volumes = await refusals.CallAsync(AgentCall.ListVolumes, "", () => client.PersistentVolumes.ListAsync(ct: stoppingToken));
                _directories.Sweep(volumes.Items.Select(v => v.Metadata.Name!).ToHashSet(StringComparer.Ordinal));
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or Errors.GranaryException or ObjectDisposedException)
            {
                // A failed list removes nothing; the next tick tries again.
                LogListFailed(logger, e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogRootUnreadable(logger, _directories.Root, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The local-path root {Root} cannot be read: {Reason}; check --local-path-root and its permissions")]
    private static partial void LogRootUnreadable(ILogger logger, string root, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Volumes could not be listed; no directory is removed this time: {Reason}")]
    private static partial void LogListFailed(ILogger logger, string reason);
}
