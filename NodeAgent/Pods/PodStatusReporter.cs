using System.Collections.Concurrent;
using Granary.Api;
using Granary.Model;
using Granary.NodeAgent.ControlPlane;
using Granary.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// Sends pod statuses to the control plane, only when they changed. A status reported after a quiet spell goes out at
/// once, so one pod's Running waits on no timer; while statuses keep coming, a call goes at most every
/// <see cref="BatchPeriod"/> with everything reported since, so a burst of pods (or a hollow node's thousands) costs a
/// few calls, not one per pod. What cannot be sent during an outage is kept (the latest per pod) and sent when the
/// control plane is back, at most once per <see cref="RetryPeriod"/>.
/// </summary>
public sealed partial class PodStatusReporter(ControlPlaneLink link, ControlPlaneRefusals refusals, TimeProvider time, ILogger<PodStatusReporter> logger)
    : BackgroundService
{
    private static readonly TimeSpan BatchPeriod = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, PodStatusReport> _pending = new();
    private readonly ConcurrentDictionary<string, string> _sent = new();
    private readonly SemaphoreSlim _nudge = new(0, 1);
    private int _connections;

    /// <summary>Raised with every status observed (sent or not), for the agent's metrics; subscribers must be quick.</summary>
    public event Action<Pod, PodStatus>? Observed;

    /// <summary>Raised when a pod that is gone is forgotten.</summary>
    public event Action<string>? Forgotten;

    /// <summary>
    /// Queues a pod's observed status; a status equal to the last one sent is dropped. After a reconnection what was
    /// sent is forgotten and each status is compared with the control plane's copy instead: while the agent was away
    /// the node lifecycle controller may have marked its pods not ready, and they must be reported ready again.
    /// </summary>
    public void Report(Pod pod, PodStatus status)
    {
        if (link.Connections != _connections)
        {
            _connections = link.Connections;
            _sent.Clear();
        }
        var uid = pod.Metadata.Uid!;
        Observed?.Invoke(pod, status);
        var json = GranaryJson.Serialize(status);
        if (_sent.TryGetValue(uid, out var last) && last == json && !_pending.ContainsKey(uid))
            return;
        if (GranaryJson.Serialize(pod.Status) == json && !_sent.ContainsKey(uid))
        {
            _sent[uid] = json; // the control plane already has it (e.g. after an agent restart)
            return;
        }
        _pending[uid] = new PodStatusReport(pod.Metadata.Namespace!, pod.Metadata.Name!, uid, status);
        if (_nudge.CurrentCount == 0)
        {
            try
            {
                _nudge.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already nudged.
            }
        }
    }

    /// <summary>Forgets a pod that is gone.</summary>
    public void Forget(string uid)
    {
        _pending.TryRemove(uid, out _);
        _sent.TryRemove(uid, out _);
        Forgotten?.Invoke(uid);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        long? lastCall = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _nudge.WaitAsync(RetryPeriod, stoppingToken);
                // While the control plane fails, statuses gather and are retried once a period, not on every report;
                // otherwise the next call waits only for what is left of the batch period since the last one.
                var wait = failing ? RetryPeriod : BatchPeriod - (lastCall is { } at ? time.GetElapsedTime(at) : BatchPeriod);
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_pending.IsEmpty || link.Node is not { } node)
                continue;
            var batch = _pending.ToArray();
            lastCall = time.GetTimestamp();
            try
            {
                var failures = await refusals.CallAsync(AgentCall.ReportPodStatuses, link.NodeName,
                    () => node.ReportPodStatusesAsync([.. batch.Select(b => b.Value)]));
                foreach (var (uid, report) in batch)
                {
                    // Only drop what was not replaced meanwhile.
                    if (_pending.TryGetValue(uid, out var current) && ReferenceEquals(current, report))
                        _pending.TryRemove(uid, out _);
                    _sent[uid] = GranaryJson.Serialize(report.Status);
                }
                foreach (var failure in failures)
                    LogRejected(logger, failure);
                if (failing)
                    LogCaughtUp(logger, batch.Length);
                failing = false;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or Errors.GranaryException)
            {
                // A refusal is logged by the refusals, with what to fix, and not asked again before its back-off passed;
                // meanwhile the statuses wait here, the newest kept per pod.
                if (!failing && e is not Errors.ForbiddenException)
                    LogSendFailed(logger, batch.Length, e.Message);
                failing = true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Status report rejected: {Failure}")]
    private static partial void LogRejected(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report {Count} pod statuses ({Reason}); keeping them until the control plane answers")]
    private static partial void LogSendFailed(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reported {Count} pod statuses held during the outage")]
    private static partial void LogCaughtUp(ILogger logger, int count);
}
