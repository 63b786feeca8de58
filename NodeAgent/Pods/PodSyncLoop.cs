using System.Collections.Concurrent;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Hosting;
using Granary.NodeAgent.Networking;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// The reconcile loop (the kubelet's sync loop and PLEG in one): at least once a second, and at once when the
/// desired state or a probe changes, it lists this node's containers by label and makes them match the desired
/// pods — create what is missing, restart per policy with back-off, kill what fails liveness, stop and remove
/// what is deleted, remove orphans after a grace period — then reports each pod's observed status.
/// Level-triggered: every pass starts from what the engine says, so an agent restart adopts what runs.
/// It records the kubelet's events (Pulled, Created, Started, Killing, BackOff, Unhealthy, Failed) on transitions,
/// never once per pass: a state that persists (back-off, a missing image) is reported once per occurrence.
/// </summary>
public sealed partial class PodSyncLoop(
    IContainerRuntime runtime,
    DesiredPods desired,
    PodStatusReporter reporter,
    ControlPlaneLink link,
    IPodNetwork network,
    ProbeManager probes,
    RestartBackoff backoff,
    StartupGate startup,
    AgentHealth health,
    NodeIdentity node,
    PodEvents events,
    IOptions<AgentSettings> settings,
    TimeProvider time,
    ILogger<PodSyncLoop> logger) : BackgroundService
{
    public const string LoopName = "pod-sync";
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    // About what two cores of engine take at once (the runtime spike saturated at ~8 concurrent starts).
    private const int PodParallelism = 8;

    private readonly SemaphoreSlim _nudge = new(0, 1);
    private readonly ConcurrentDictionary<string, Task> _terminating = new();
    // Containers being killed (liveness failure, changed spec), by container id.
    private readonly ConcurrentDictionary<string, Task> _killing = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _orphanSince = new();
    // Orphans being (or just) removed: passes may still list them, and must not take them for new orphans.
    private readonly ConcurrentDictionary<string, bool> _removingOrphans = new();
    private readonly ConcurrentDictionary<string, string> _lastFailure = new();
    private readonly ConcurrentDictionary<string, PodStatus> _lastStatus = new();
    // What was last reported per pod container and topic ("uid/container/topic"), so a lasting state is reported once.
    private readonly ConcurrentDictionary<string, string> _reported = new();

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
        probes.AttemptFailed += OnProbeFailed;
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
        probes.AttemptFailed -= OnProbeFailed;
    }

    private void OnProbeFailed(ProbeTarget target, ProbeResult result)
    {
        if (desired.Snapshot().FirstOrDefault(p => p.Metadata.Uid == target.PodUid) is { } pod)
            events.Unhealthy(pod, target.Container, result.Message ?? $"{target.ContainerName} probe failed");
    }

    /// <summary>Records through <paramref name="record"/> unless <paramref name="token"/> is what was last reported on this topic.</summary>
    private void ReportOnce(Pod pod, Container spec, string topic, string token, Action record)
    {
        var key = $"{pod.Metadata.Uid}/{spec.Name}/{topic}";
        if (_reported.TryGetValue(key, out var last) && last == token)
            return;
        _reported[key] = token;
        record();
    }

    /// <summary>One pass over every desired pod and every container this agent owns.</summary>
    public async Task SyncOnceAsync(CancellationToken ct)
    {
        var containers = await runtime.ListAsync(ContainerNaming.NodeSelector(node.Name), ct);
        var byPod = containers
            .GroupBy(c => ContainerNaming.Label(c, ContainerLabels.PodUid) ?? "")
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ContainerInfo>)[.. g]);
        var pods = desired.Snapshot();
        var addressesInUse = containers.Select(c => ContainerNaming.Label(c, ContainerNaming.PodIpLabel)).OfType<string>().ToHashSet();

        await Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = PodParallelism, CancellationToken = ct }, async (pod, token) =>
        {
            var own = byPod.GetValueOrDefault(pod.Metadata.Uid!) ?? [];
            try
            {
                await SyncPodAsync(pod, own, addressesInUse, token);
            }
            catch (RuntimeException e) when (e.Kind is not (RuntimeErrorKind.Unavailable or RuntimeErrorKind.Timeout))
            {
                LogPodSyncFailed(logger, Key(pod), e.Message);
            }
        });

        RemoveOrphans(containers, pods);
        probes.Sync(ProbeTargets(pods, containers));
    }

    private async Task SyncPodAsync(Pod pod, IReadOnlyList<ContainerInfo> own, HashSet<string> addressesInUse, CancellationToken ct)
    {
        var uid = pod.Metadata.Uid!;
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Stopping takes up to the grace period: it runs beside the loop, one task per pod.
            _ = _terminating.GetOrAdd(uid, _ => Task.Run(() => TerminateAsync(pod, own), CancellationToken.None));
            return;
        }

        string podIp;
        lock (addressesInUse)
        {
            var existing = own.Select(c => ContainerNaming.Label(c, ContainerNaming.PodIpLabel)).FirstOrDefault(a => a is not null);
            podIp = network.AssignAddress(uid, existing, addressesInUse) ?? node.Ip;
            addressesInUse.Add(podIp);
        }

        var previous = _lastStatus.GetValueOrDefault(uid) ?? pod.Status;
        var finished = previous?.Phase is "Succeeded" or "Failed";
        var observations = new List<ContainerObservation>();
        foreach (var spec in pod.Spec.Containers ?? [])
        {
            var instances = own.Where(c => ContainerNaming.Label(c, ContainerLabels.Container) == spec.Name)
                .OrderByDescending(ContainerNaming.AttemptOf).ToList();
            observations.Add(await SyncContainerAsync(pod, spec, instances, podIp, finished, ct));
        }

        var status = PodStatusBuilder.Build(pod, observations, runtime.Name, podIp, node.Ip, previous, time.GetUtcNow());
        _lastStatus[uid] = status;
        reporter.Report(pod, status);
    }

    /// <summary>Brings one container in line with its spec and restart policy, and says what it observed.</summary>
    private async Task<ContainerObservation> SyncContainerAsync(Pod pod, Container spec, List<ContainerInfo> instances, string podIp,
        bool podFinished, CancellationToken ct)
    {
        var key = RestartBackoff.Key(pod.Metadata.Uid!, spec.Name);
        var current = instances.FirstOrDefault();
        var previousInstance = instances.Skip(1).FirstOrDefault();
        var image = spec.Image ?? "";
        ContainerStateWaiting? waiting = null;

        if (current is null)
        {
            waiting = await EnsureImageAsync(pod, spec, ct);
            if (waiting is null)
            {
                waiting = await StartNewAsync(pod, spec, attempt: 0, podIp, ct);
                current = await FindLatestAsync(pod, spec, ct);
            }
        }
        else if (current.State == ContainerRunState.Running)
        {
            var changed = ContainerNaming.Label(current, ContainerLabels.SpecHash) != ContainerNaming.SpecHash(spec);
            if ((changed || !probes.IsLive(current.Id)) && !_killing.ContainsKey(current.Id))
            {
                var why = changed ? "its spec changed" : $"it failed its liveness probe: {probes.LastFailure(current.Id)}";
                LogKilling(logger, Key(pod), spec.Name, why);
                events.Killing(pod, spec, changed
                    ? $"Container {spec.Name} definition changed, will be restarted"
                    : $"Container {spec.Name} failed liveness probe, will be restarted");
                // The grace period runs beside the loop, so one slow container never holds up the other pods;
                // a later pass sees it exited and restarts it by policy.
                var id = current.Id;
                _ = _killing.GetOrAdd(id, key => Task.Run(async () =>
                {
                    try
                    {
                        await runtime.StopAsync(id, GracePeriod(pod), CancellationToken.None);
                    }
                    catch (RuntimeException e)
                    {
                        LogPodSyncFailed(logger, Key(pod), e.Message);
                    }
                    finally
                    {
                        _killing.TryRemove(key, out _);
                        Nudge();
                    }
                }, CancellationToken.None));
            }
        }
        else if (current.State == ContainerRunState.Created)
        {
            // Created but never started (the agent stopped in between): start it now.
            await runtime.StartAsync(current.Id, ct);
            current = await runtime.InspectAsync(current.Id, ct) ?? current;
        }

        if (current is { State: ContainerRunState.Exited } && !podFinished && ShouldRestart(pod, spec, current))
        {
            var now = time.GetUtcNow();
            // Recording the same exit again changes nothing, so every pass may record what it sees.
            backoff.RecordFailure(key, current.FinishedAt ?? now, current.StartedAt);
            var delay = backoff.RemainingDelay(key, now);
            if (delay is { } wait && wait > TimeSpan.Zero)
            {
                ReportOnce(pod, spec, "backoff", current.Id, () => events.BackOff(pod, spec));
                waiting = new ContainerStateWaiting
                {
                    Reason = RestartBackoff.Reason,
                    Message = RestartBackoff.Message(backoff.CurrentDelay(key), spec.Name, pod.Metadata.Name!, pod.Metadata.Namespace, pod.Metadata.Uid!),
                };
            }
            else
            {
                waiting = await EnsureImageAsync(pod, spec, ct) ?? await StartNewAsync(pod, spec, ContainerNaming.AttemptOf(current) + 1, podIp, ct);
                // Keep the instance that just ended (lastState, logs --previous); older ones go.
                foreach (var old in instances.Skip(1))
                    await runtime.RemoveAsync(old.Id, ct);
                previousInstance = current;
                current = await FindLatestAsync(pod, spec, ct) ?? current;
            }
        }

        var live = current is { State: ContainerRunState.Running };
        return new ContainerObservation(
            spec.Name,
            current,
            previousInstance,
            waiting,
            Ready: live && probes.IsReady(current!.Id),
            Started: live && probes.IsStarted(current!.Id),
            Image: image);
    }

    private static bool ShouldRestart(Pod pod, Container spec, ContainerInfo exited) =>
        ContainerNaming.Label(exited, ContainerLabels.SpecHash) != ContainerNaming.SpecHash(spec)
        || (pod.Spec.RestartPolicy ?? "Always") switch
        {
            "Always" => true,
            "OnFailure" => exited.ExitCode != 0,
            _ => false,
        };

    /// <summary>Makes sure the image is there; the waiting state to show when it cannot be had.</summary>
    private async Task<ContainerStateWaiting?> EnsureImageAsync(Pod pod, Container spec, CancellationToken ct)
    {
        var image = spec.Image ?? "";
        if (await runtime.ImageExistsAsync(image, ct))
        {
            // Only called when a container is about to be created, as the kubelet reports it.
            events.AlreadyPresent(pod, spec);
            return null;
        }
        var key = $"pull/{pod.Metadata.Uid}/{spec.Name}";
        if (spec.ImagePullPolicy == "Never")
        {
            ReportOnce(pod, spec, "image", "never", () => events.NeverPull(pod, spec));
            return new ContainerStateWaiting { Reason = "ErrImageNeverPull", Message = $"Container image \"{image}\" is not present with pull policy of Never" };
        }
        if (backoff.RemainingDelay(key, time.GetUtcNow()) is { } wait && wait > TimeSpan.Zero)
        {
            ReportOnce(pod, spec, "image", "backoff", () => events.PullBackOff(pod, spec));
            return new ContainerStateWaiting { Reason = "ImagePullBackOff", Message = $"Back-off pulling image \"{image}\": {_lastFailure.GetValueOrDefault(key)}" };
        }
        try
        {
            _reported.TryRemove($"{pod.Metadata.Uid}/{spec.Name}/image", out _);
            events.Pulling(pod, spec);
            var started = time.GetTimestamp();
            await runtime.PullImageAsync(image, null, ct);
            events.Pulled(pod, spec, time.GetElapsedTime(started));
            backoff.Forget(key);
            return null;
        }
        catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.ImageNotFound or RuntimeErrorKind.Failed)
        {
            backoff.RecordFailure(key, time.GetUtcNow());
            _lastFailure[key] = e.Message;
            LogPullFailed(logger, Key(pod), image, e.Message);
            events.PullFailed(pod, spec, e.Message);
            return new ContainerStateWaiting { Reason = "ErrImagePull", Message = e.Message };
        }
    }

    /// <summary>Creates and starts one attempt of a container; the waiting state when it cannot be made.</summary>
    private async Task<ContainerStateWaiting?> StartNewAsync(Pod pod, Container spec, int attempt, string podIp, CancellationToken ct)
    {
        Dictionary<string, string> env;
        try
        {
            env = ContainerSpecs.Environment(pod, spec, podIp, node.Ip);
        }
        catch (DownwardApiException e)
        {
            ReportOnce(pod, spec, "config", e.Message, () => events.Failed(pod, spec, e.Message));
            return new ContainerStateWaiting { Reason = "CreateContainerConfigError", Message = e.Message };
        }
        _reported.TryRemove($"{pod.Metadata.Uid}/{spec.Name}/config", out _);
        var id = await runtime.CreateAsync(ContainerSpecs.Build(node.Name, pod, spec, attempt, podIp, env), ct);
        events.Created(pod, spec);
        try
        {
            await runtime.StartAsync(id, ct);
            events.Started(pod, spec);
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.Failed)
        {
            // The engine refused to start it (bad command, …): the container shows as exited with the engine's error.
            LogStartFailed(logger, Key(pod), spec.Name, e.Message);
            events.Failed(pod, spec, e.Message);
        }
        LogStarted(logger, Key(pod), spec.Name, attempt);
        return null;
    }

    private async Task<ContainerInfo?> FindLatestAsync(Pod pod, Container spec, CancellationToken ct)
    {
        var labels = ContainerNaming.NodeSelector(node.Name);
        labels[ContainerLabels.PodUid] = pod.Metadata.Uid!;
        labels[ContainerLabels.Container] = spec.Name;
        return (await runtime.ListAsync(labels, ct)).OrderByDescending(ContainerNaming.AttemptOf).FirstOrDefault();
    }

    /// <summary>Graceful deletion: SIGTERM, the grace period, SIGKILL, remove; then the pod object may go.</summary>
    private async Task TerminateAsync(Pod pod, IReadOnlyList<ContainerInfo> own)
    {
        var uid = pod.Metadata.Uid!;
        try
        {
            var grace = pod.Metadata.DeletionTimestamp is { } deadline ? deadline - time.GetUtcNow() : GracePeriod(pod);
            if (grace < TimeSpan.Zero)
                grace = TimeSpan.Zero;
            using var cts = new CancellationTokenSource(grace + TimeSpan.FromMinutes(1));
            foreach (var running in own.Where(c => c.State == ContainerRunState.Running))
            {
                if (pod.Spec.Containers?.FirstOrDefault(c => c.Name == ContainerNaming.Label(running, ContainerLabels.Container)) is { } spec)
                    events.Killing(pod, spec, $"Stopping container {spec.Name}");
            }
            await Task.WhenAll(own.Where(c => c.State == ContainerRunState.Running).Select(c => runtime.StopAsync(c.Id, grace, cts.Token)));
            await Task.WhenAll(own.Select(c => runtime.RemoveAsync(c.Id, cts.Token)));
            LogTerminated(logger, Key(pod), own.Count);
            if (link.Client is { } client)
            {
                // The containers are gone: the pod object may now go (a second delete with no grace, for this uid only).
                await client.Pods.DeleteAsync(pod.Metadata.Namespace, pod.Metadata.Name!, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = uid });
            }
            else
            {
                // No control plane now: the next pass retries the confirmation.
                return;
            }
            Forget(uid);
        }
        catch (NotFoundException)
        {
            Forget(uid);
        }
        catch (Exception e) when (e is RuntimeException or OrleansException or GranaryException or OperationCanceledException)
        {
            LogTerminateFailed(logger, Key(pod), e.Message);
        }
        finally
        {
            _terminating.TryRemove(uid, out _);
        }
    }

    private void Forget(string uid)
    {
        desired.Remove(uid);
        reporter.Forget(uid);
        backoff.Forget(uid);
        network.Release(uid);
        _lastStatus.TryRemove(uid, out _);
        foreach (var key in _reported.Keys.Where(k => k.StartsWith(uid + "/", StringComparison.Ordinal)))
            _reported.TryRemove(key, out _);
    }

    /// <summary>
    /// Containers whose pod is no longer bound here go after a grace period (a pod may come back on resync);
    /// only once the agent has seen a full desired state, so a restart during an outage kills nothing.
    /// </summary>
    private void RemoveOrphans(IReadOnlyList<ContainerInfo> containers, IReadOnlyList<Pod> pods)
    {
        if (!desired.Synced)
            return;
        var wanted = pods.Select(p => p.Metadata.Uid).ToHashSet();
        var listed = containers.Select(c => c.Id).ToHashSet();
        foreach (var gone in _removingOrphans.Keys.Where(id => !listed.Contains(id)))
            _removingOrphans.TryRemove(gone, out _);
        var now = time.GetUtcNow();
        foreach (var c in containers)
        {
            var uid = ContainerNaming.Label(c, ContainerLabels.PodUid) ?? "";
            if (wanted.Contains(uid) || _terminating.ContainsKey(uid))
            {
                _orphanSince.TryRemove(c.Id, out _);
                continue;
            }
            if (_removingOrphans.ContainsKey(c.Id))
                continue;
            var since = _orphanSince.GetOrAdd(c.Id, now);
            if (since == now)
                LogOrphanSeen(logger, c.Name, settings.Value.OrphanGracePeriod);
            if (now - since < settings.Value.OrphanGracePeriod)
                continue;
            _orphanSince.TryRemove(c.Id, out _);
            _removingOrphans[c.Id] = true;
            _ = Task.Run(async () =>
            {
                try
                {
                    await runtime.StopAsync(c.Id, TimeSpan.FromSeconds(10), CancellationToken.None);
                    await runtime.RemoveAsync(c.Id, CancellationToken.None);
                    LogOrphanRemoved(logger, c.Name);
                }
                catch (RuntimeException e)
                {
                    LogOrphanRemoveFailed(logger, c.Name, e.Message);
                    _removingOrphans.TryRemove(c.Id, out _); // seen again by a later pass, and retried after the grace
                }
            });
        }
    }

    private IEnumerable<ProbeTarget> ProbeTargets(IReadOnlyList<Pod> pods, IReadOnlyList<ContainerInfo> containers)
    {
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is null))
        {
            foreach (var spec in pod.Spec.Containers ?? [])
            {
                var current = containers
                    .Where(c => ContainerNaming.Label(c, ContainerLabels.PodUid) == pod.Metadata.Uid && ContainerNaming.Label(c, ContainerLabels.Container) == spec.Name)
                    .OrderByDescending(ContainerNaming.AttemptOf).FirstOrDefault();
                if (current is { State: ContainerRunState.Running, StartedAt: { } started })
                    yield return new ProbeTarget(pod.Metadata.Uid!, ContainerNaming.Label(current, ContainerNaming.PodIpLabel) ?? node.Ip, spec.Name, current.Id, started, spec);
            }
        }
    }

    private static TimeSpan GracePeriod(Pod pod) => TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30);

    private static string Key(Pod pod) => $"{pod.Metadata.Namespace}/{pod.Metadata.Name}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Pod}: started container {Container} (attempt {Attempt})")]
    private static partial void LogStarted(ILogger logger, string pod, string container, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: the engine could not start container {Container}: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string pod, string container, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Pod}: killing container {Container} because {Why}")]
    private static partial void LogKilling(ILogger logger, string pod, string container, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: pulling image {Image} failed: {Reason}")]
    private static partial void LogPullFailed(ILogger logger, string pod, string image, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Pod}: stopped and removed {Count} containers; deletion confirmed")]
    private static partial void LogTerminated(ILogger logger, string pod, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: termination did not complete ({Reason}); retrying")]
    private static partial void LogTerminateFailed(ILogger logger, string pod, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: sync failed: {Reason}")]
    private static partial void LogPodSyncFailed(ILogger logger, string pod, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {Container} belongs to no pod bound here; removing it after {Grace}")]
    private static partial void LogOrphanSeen(ILogger logger, string container, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed orphaned container {Container}")]
    private static partial void LogOrphanRemoved(ILogger logger, string container);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove orphaned container {Container}: {Reason}")]
    private static partial void LogOrphanRemoveFailed(ILogger logger, string container, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Driver} engine is unreachable ({Reason}); running pods are left alone, retrying")]
    private static partial void LogEngineDown(ILogger logger, string driver, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Driver} engine answers again")]
    private static partial void LogEngineBack(ILogger logger, string driver);
}
