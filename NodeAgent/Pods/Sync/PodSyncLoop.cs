using Granary.Model;
using Granary.NodeAgent.Hosting;
using Granary.NodeAgent.Networking;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Systemd;
using Granary.NodeAgent.Volumes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// The reconcile loop (the kubelet's sync loop and PLEG in one): at least once a second, and at once when the
/// desired state, a probe or (through the engine's events, <see cref="IContainerEventSource"/>) a container changes, it lists this node's containers by label and syncs every desired pod
/// (<see cref="PodSync"/>: plan with <see cref="PodActionsPlanner"/>, act with <see cref="PodSyncExecutor"/>), then
/// removes orphans after a grace period and tells the probes what runs. Level-triggered: every pass starts from
/// what the engine says, so an agent restart adopts what runs. Work beside the loop (kills, terminations, orphan
/// removals) is tracked and awaited when the agent stops.
/// </summary>
public sealed partial class PodSyncLoop(
    IContainerRuntime runtime,
    DesiredPods desired,
    PodSync sync,
    PodSyncExecutor executor,
    PodRecords records,
    OrphanCollector orphans,
    ProbeManager probes,
    PodEvents events,
    StartupGate startup,
    AgentHealth health,
    NodeIdentity node,
    PodConfigCache config,
    VolumeManager volumes,
    ILogger<PodSyncLoop> logger) : BackgroundService
{
    public const string LoopName = "pod-sync";
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    // A slow control plane delays ConfigMap updates, never the pass: what is cached is used meanwhile.
    private static readonly TimeSpan ConfigReadTimeout = TimeSpan.FromSeconds(5);
    // About what two cores of engine take at once (the runtime spike saturated at ~8 concurrent starts).
    private const int PodParallelism = 8;

    private readonly SemaphoreSlim _nudge = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();

    public void Nudge()
    {
        if (_nudge.CurrentCount > 0)
            return;
        try
        {
            _nudge.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already nudged.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        health.Register(LoopName, TimeSpan.FromSeconds(60));
        desired.Changed += Nudge;
        probes.Changed += Nudge;
        executor.WorkEnded += Nudge;
        config.Changed += Nudge;
        probes.AttemptFailed += OnProbeFailed;
        // A container that dies or is removed outside the agent is acted on at once, not at the next periodic pass.
        var engineEvents = runtime.Driver() is IContainerEventSource source
            ? source.FollowAsync(ContainerNaming.NodeSelector(node.Name), Nudge, stoppingToken)
            : Task.CompletedTask;
        var engineDown = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Only a pass that began with the control plane's full desired state counts towards readiness:
                // passes before it reconcile nothing, and READY=1 must mean the machine matches what is wanted.
                var reconcilesDesired = desired.Synced;
                await SyncOnceAsync(stoppingToken);
                health.Beat(LoopName);
                if (engineDown)
                    LogEngineBack(logger, runtime.Name);
                engineDown = false;
                if (reconcilesDesired)
                    startup.PodsSynced();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.Unavailable or RuntimeErrorKind.Timeout)
            {
                // The engine is down: nothing to do but say so once and keep trying; the watchdog sees the stale loop.
                if (!engineDown)
                    LogEngineDown(logger, runtime.Name, e.Message);
                engineDown = true;
            }
            try
            {
                await _nudge.WaitAsync(Period, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        desired.Changed -= Nudge;
        probes.Changed -= Nudge;
        executor.WorkEnded -= Nudge;
        config.Changed -= Nudge;
        probes.AttemptFailed -= OnProbeFailed;
        try
        {
            await engineEvents;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Followed until the agent stopped.
        }
    }

    /// <summary>Once the loop ended, kills, terminations and orphan removals beside it give up their waits and are awaited.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _stopping.CancelAsync();
        var work = records.Work().Concat(orphans.Work()).ToList();
        try
        {
            await Task.WhenAll(work);
        }
        catch (Exception) when (work.Any(t => t.IsFaulted))
        {
            foreach (var failed in work.Where(t => t.IsFaulted))
                LogWorkFailed(logger, failed.Exception!.InnerException!.Message);
        }
    }

    private void OnProbeFailed(ProbeTarget target, ProbeResult result)
    {
        if (desired.Snapshot().FirstOrDefault(p => p.Metadata.Uid == target.PodUid) is { } pod)
            events.Unhealthy(pod, target.Container, result.Message ?? $"{target.ContainerName} probe failed");
    }

    /// <summary>One pass over every desired pod and every container this agent owns.</summary>
    public async Task SyncOnceAsync(CancellationToken ct)
    {
        var containers = await runtime.ListAsync(ContainerNaming.NodeSelector(node.Name), ct);
        var byPod = containers
            .GroupBy(c => ContainerNaming.Label(c, ContainerLabels.PodUid) ?? "")
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ContainerInfo>)[.. g]);
        var pods = desired.Snapshot();
        using (var read = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            read.CancelAfter(ConfigReadTimeout);
            try
            {
                await config.RefreshAsync(pods, read.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Read again on the next pass; the copies held serve this one.
            }
        }
        var addressesInUse = containers.Select(c => ContainerNaming.Label(c, ContainerNaming.PodIpLabel)).OfType<string>().ToHashSet();

        await Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = PodParallelism, CancellationToken = ct }, async (pod, token) =>
        {
            var own = byPod.GetValueOrDefault(pod.Metadata.Uid!) ?? [];
            try
            {
                await sync.SyncAsync(pod, own, addressesInUse, token, _stopping.Token);
            }
            catch (RuntimeException e) when (e.Kind is not (RuntimeErrorKind.Unavailable or RuntimeErrorKind.Timeout))
            {
                LogPodSyncFailed(logger, PodSyncExecutor.Key(pod), e.Message);
            }
            catch (PodAddressExhaustedException e)
            {
                LogPodSyncFailed(logger, PodSyncExecutor.Key(pod), e.Message);
            }
            catch (Exception e) when (e is Errors.GranaryException or OrleansException or TimeoutException && !token.IsCancellationRequested)
            {
                // What the control plane answers about one pod (a refusal, a fault) holds up that pod only: the pass,
                // the other pods and the agent go on, and the next pass asks again.
                LogPodSyncFailed(logger, PodSyncExecutor.Key(pod), e.Message);
            }
        });

        var wanted = pods.Select(p => p.Metadata.Uid!).ToHashSet(StringComparer.Ordinal);
        // Only once the agent has seen a full desired state: a restart during an outage forgets and kills nothing.
        if (desired.Synced)
        {
            records.Retain(wanted);
            var keep = wanted.Concat(records.Busy()).ToHashSet(StringComparer.Ordinal);
            orphans.Collect(containers, keep, desired.ReadAt, _stopping.Token);
            // A pod's volumes go once it is not wanted here and none of its containers is left (unmounting tmpfs first).
            keep.UnionWith(byPod.Keys);
            volumes.CollectGone(keep);
        }
        probes.Sync(ProbeTargets(pods, containers));
    }

    private IEnumerable<ProbeTarget> ProbeTargets(IReadOnlyList<Pod> pods, IReadOnlyList<ContainerInfo> containers)
    {
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is null))
        {
            // Sidecars are probed like app containers (regular init containers have no probes).
            foreach (var spec in (pod.Spec.InitContainers ?? []).Where(PodActionsPlanner.IsSidecar).Concat(pod.Spec.Containers ?? []))
            {
                var current = containers
                    .Where(c => ContainerNaming.Label(c, ContainerLabels.PodUid) == pod.Metadata.Uid && ContainerNaming.Label(c, ContainerLabels.Container) == spec.Name)
                    .OrderByDescending(ContainerNaming.AttemptOf).FirstOrDefault();
                if (current is { State: ContainerRunState.Running, StartedAt: { } started })
                    yield return new ProbeTarget(pod.Metadata.Uid!, ContainerNaming.Label(current, ContainerNaming.PodIpLabel) ?? node.Ip, spec.Name, current.Id, started, spec);
            }
        }
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        _nudge.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: sync failed: {Reason}")]
    private static partial void LogPodSyncFailed(ILogger logger, string pod, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work beside the sync loop failed unexpectedly while the agent stopped: {Reason}")]
    private static partial void LogWorkFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Driver} engine is unreachable ({Reason}); running pods are left alone, retrying")]
    private static partial void LogEngineDown(ILogger logger, string driver, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Driver} engine answers again")]
    private static partial void LogEngineBack(ILogger logger, string driver);
}
