using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Nodes;

/// <summary>
/// The node lifecycle controller, one activation for the cluster: kube's node lifecycle controller, taint eviction
/// controller and zone-disruption rule. One activation rather than one per node because the zone rule and the
/// eviction rate limiter need every node at once, and a pass reads nodes and pods from this silo's watch cache, so it
/// costs no grain call per node. Leases reach it as notices from the node grains (in memory only: after a failover it
/// waits one grace period before it judges any lease, so agents have time to renew); a lease that looks lapsed is
/// confirmed with its node grain before the node is marked, so a lost notice never turns a live node Unknown.
/// A pass runs when something is due (a lease lapsing, an eviction, a rate-limited taint), on a wake-up, and on a
/// slow resync while some node is silent or tainted; with no node there is no timer. A reminder reactivates it after
/// the loss of its silo.
/// </summary>
public sealed partial class NodeLifecycleGrain(
    WatchCache cache,
    TimeProvider time,
    IOptions<NodeLifecycleOptions> options,
    EventBroadcaster events,
    ILogger<NodeLifecycleGrain> logger) : Grain, INodeLifecycleGrain, IRemindable
{
    public const string TaintEvictionComponent = "taint-eviction-controller";
    private const string Reminder = "node-lifecycle";
    private const int Parallelism = 16;
    private static readonly TimeSpan WakeDelay = TimeSpan.FromMilliseconds(50);
    private readonly NodeLifecycleOptions _options = options.Value;
    private readonly IEventRecorder _nodeEvents = events.NewRecorder(new EventSource { Component = Resources.NodeGrain.LifecycleComponent });
    private readonly IEventRecorder _evictionEvents = events.NewRecorder(new EventSource { Component = TaintEvictionComponent });
    private readonly Dictionary<string, NodeLeaseInfo> _leases = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, DateTimeOffset> _lastTainted = ImmutableDictionary<string, DateTimeOffset>.Empty;
    private ImmutableDictionary<string, ZoneState> _zones = ImmutableDictionary<string, ZoneState>.Empty;
    private bool _allDisrupted;
    private DateTimeOffset _start;
    private IGrainTimer? _timer;
    private DateTimeOffset _due;
    private bool _reminder;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _start = time.GetUtcNow();
        LogActive(logger, RuntimeIdentity, _options.GracePeriod);
        PassAt(_start + WakeDelay);
        return Task.CompletedTask;
    }

    public Task LeaseRenewedAsync(string node, NodeLeaseInfo lease)
    {
        var known = _leases.GetValueOrDefault(node);
        if (known is not null && known.RenewTime >= lease.RenewTime)
            return Task.CompletedTask;
        _leases[node] = lease;
        // A node new to this activation, or one whose lease had lapsed, may need its taints lifted; others need nothing now.
        if (known is null || known.Expiry <= lease.RenewTime)
            PassAt(time.GetUtcNow() + WakeDelay);
        return Task.CompletedTask;
    }

    public Task WakeAsync()
    {
        PassAt(time.GetUtcNow() + WakeDelay);
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _reminder = true;
        PassAt(time.GetUtcNow());
        return Task.CompletedTask;
    }

    /// <summary>Makes sure a pass runs by <paramref name="at"/> (an earlier one already due stands).</summary>
    private void PassAt(DateTimeOffset at)
    {
        if (_timer is not null && _due <= at)
            return;
        _timer?.Dispose();
        _due = at;
        var delay = at - time.GetUtcNow();
        _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        var now = time.GetUtcNow();
        try
        {
            // A due time is kept to the moment (a timer may fire a hair early: the pass then finds it just ahead).
            if (await PassAsync() is { } at)
                PassAt(at > now + WakeDelay ? at : now + WakeDelay);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or GranaryException)
        {
            LogPassFailed(logger, e.Message);
            PassAt(now + _options.MonitorPeriod);
        }
    }

    /// <summary>One pass: read, confirm suspect leases, plan, write. Returns when the next pass is due, or null.</summary>
    private async Task<DateTimeOffset?> PassAsync()
    {
        var (_, nodeItems) = (await cache.ConsistentAsync(ResourceKinds.Node)).Snapshot(ObjectFilter.Everything);
        var nodes = nodeItems.Select(i => (Node)i.Value).ToList();
        await KeepReminderAsync(nodes.Count > 0);
        if (nodes.Count == 0)
        {
            _leases.Clear();
            return null;
        }
        foreach (var gone in _leases.Keys.Except(nodes.Select(n => n.Metadata.Name!)).ToList())
            _leases.Remove(gone);
        await ConfirmSuspectLeasesAsync(nodes);

        var pods = await cache.ConsistentAsync(ResourceKinds.Pod);
        var now = time.GetUtcNow();
        var plan = NodeLifecyclePlanner.Plan(new NodeLifecycleInput
        {
            Nodes = nodes,
            Leases = _leases.ToImmutableDictionary(),
            PodsOn = node => [.. pods.OnNode(node).Cast<Pod>()],
            Now = now,
            MonitorStart = _start,
            LastTaintedByZone = _lastTainted,
            Options = _options,
        });
        _lastTainted = plan.LastTaintedByZone;
        ReportZones(plan, nodes);

        var wrote = await WriteNodesAsync(plan.Nodes) | await MarkPodsNotReadyAsync(plan.PodsNotReady) | await EvictAsync(plan.Evictions);

        // After writing, look again soon to confirm; while a node is silent or tainted, resync slowly for pods bound there later.
        DateTimeOffset? next = plan.NextPass;
        if (wrote)
            next = Earliest(next, now + _options.MonitorPeriod);
        if (plan.Watching)
            next = Earliest(next, now + _options.MonitorPeriod * 10);
        return next;
    }

    /// <summary>Asks the node grains whose lease looks lapsed for their lease, in case a renewal's notice was lost.</summary>
    private async Task ConfirmSuspectLeasesAsync(List<Node> nodes)
    {
        var now = time.GetUtcNow();
        var suspects = nodes.Where(n => now >= NodeLifecyclePlanner.LeaseExpiry(n, _leases.GetValueOrDefault(n.Metadata.Name!), _start, _options.GracePeriod)
            && n.Status?.Conditions?.FirstOrDefault(c => c.Type == NodeLifecyclePlanner.Ready)?.Status != "Unknown").ToList();
        await Parallel.ForEachAsync(suspects, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, TaskScheduler = TaskScheduler.Current }, async (node, _) =>
        {
            var name = node.Metadata.Name!;
            if (await GrainFactory.GetGrain<INodeGrain>(name).GetLeaseAsync() is { } lease
                && (_leases.GetValueOrDefault(name) is not { } known || known.RenewTime < lease.RenewTime))
                _leases[name] = lease;
        });
    }

    private async Task<bool> WriteNodesAsync(ImmutableArray<NodeChange> changes)
    {
        var wrote = false;
        await Parallel.ForEachAsync(changes, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, TaskScheduler = TaskScheduler.Current }, async (change, _) =>
        {
            var name = change.After.Metadata.Name!;
            var grain = GrainFactory.GetGrain<INodeGrain>(name);
            try
            {
                var node = change.Before;
                if (change.BecameUnknown)
                {
                    node = await grain.UpdateStatusAsync(node with { Status = change.After.Status });
                    LogNodeUnknown(logger, name, _leases.GetValueOrDefault(name)?.RenewTime);
                    _nodeEvents.Record(node, Event.Normal, "NodeNotReady", $"Node {name} status is now: NodeNotReady");
                }
                if (change.TaintsChanged)
                {
                    await grain.UpdateAsync(node with { Spec = change.After.Spec });
                    LogTaints(logger, name, string.Join(", ", change.Added.Select(Describe)), string.Join(", ", change.Removed.Select(Describe)));
                }
                wrote = true;
            }
            catch (GranaryException e) when (e is ConflictException or NotFoundException)
            {
                // Written meanwhile (the agent came back, an operator edited it) or gone: the next pass sees the truth.
                wrote = true;
            }
        });
        return wrote;
    }

    private async Task<bool> MarkPodsNotReadyAsync(ImmutableArray<Pod> pods)
    {
        await Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, TaskScheduler = TaskScheduler.Current }, async (pod, _) =>
        {
            try
            {
                await GrainFactory.GetGrain<IPodGrain>($"{pod.Metadata.Namespace}/{pod.Metadata.Name}").UpdateStatusAsync(pod);
                _nodeEvents.Record(pod, Event.Warning, "NodeNotReady", "Node is not ready");
            }
            catch (GranaryException e) when (e is ConflictException or NotFoundException)
            {
                // Changed or gone meanwhile: judged again on the next pass.
            }
        });
        return !pods.IsEmpty;
    }

    /// <summary>
    /// Deletes each pod through its grain, first saying why in a DisruptionTarget condition, as kube's taint eviction
    /// controller does. Taint eviction does not consult PodDisruptionBudgets (nor does kube's). A pod whose node has no
    /// live agent is gone at once, so its ReplicaSet replaces it; one with a live agent is deleted gracefully.
    /// </summary>
    private async Task<bool> EvictAsync(ImmutableArray<PodEviction> evictions)
    {
        await Parallel.ForEachAsync(evictions, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, TaskScheduler = TaskScheduler.Current }, async (eviction, _) =>
        {
            var pod = eviction.Pod;
            var key = $"{pod.Metadata.Namespace}/{pod.Metadata.Name}";
            var grain = GrainFactory.GetGrain<IPodGrain>(key);
            try
            {
                var conditions = (pod.Status?.Conditions ?? []).RemoveAll(c => c.Type == DisruptionTarget).Add(new PodCondition
                {
                    Type = DisruptionTarget, Status = "True", Reason = "DeletionByTaintManager",
                    Message = "Taint manager: deleting due to NoExecute taint", LastTransitionTime = time.GetUtcNow(),
                });
                await grain.UpdateStatusAsync(pod with { Status = (pod.Status ?? new PodStatus()) with { Conditions = conditions } });
                _evictionEvents.Record(pod, Event.Normal, "TaintManagerEviction", $"Marking for deletion Pod {key}");
                await grain.DeleteAsync(new DeleteOptions { PreconditionUid = pod.Metadata.Uid });
                LogEvicted(logger, key, eviction.Node, Describe(eviction.Taint));
            }
            catch (GranaryException e) when (e is ConflictException or NotFoundException)
            {
                // Written or gone meanwhile: judged again on the next pass.
            }
        });
        return !evictions.IsEmpty;
    }

    public const string DisruptionTarget = "DisruptionTarget";

    /// <summary>Logs and records the zone rule's changes of mind, so an operator sees why evictions stopped or resumed.</summary>
    private void ReportZones(NodeLifecyclePlan plan, List<Node> nodes)
    {
        if (plan.AllZonesDisrupted != _allDisrupted)
        {
            _allDisrupted = plan.AllZonesDisrupted;
            var message = _allDisrupted
                ? $"No node of any zone is ready ({nodes.Count} nodes): the control plane's own link is the likelier fault, so no pod is evicted and NoExecute taints are lifted until a node is ready again"
                : "A node is ready again: evictions resume under the zone rule";
            if (_allDisrupted)
                LogAllDisrupted(logger, nodes.Count);
            else
                LogDisruptionOver(logger);
            foreach (var node in nodes)
                _nodeEvents.Record(node, _allDisrupted ? Event.Warning : Event.Normal, _allDisrupted ? "EvictionsSuspended" : "EvictionsResumed", message);
        }
        foreach (var (zone, state) in plan.Zones)
        {
            var before = _zones.GetValueOrDefault(zone, ZoneState.Normal);
            if (state == before || plan.AllZonesDisrupted)
                continue;
            var inZone = nodes.Where(n => ZoneDisruption.ZoneOf(n) == zone).ToList();
            var label = zone.Length == 0 ? "without a zone label" : $"\"{zone}\"";
            LogZone(logger, label, before, state);
            var message = state switch
            {
                ZoneState.PartialDisruption => $"Zone {label} is partially disrupted (at least {_options.UnhealthyZoneThreshold:P0} of its {inZone.Count} nodes are not ready): its nodes are not tainted for eviction until more recover",
                ZoneState.FullDisruption => $"Zone {label} is fully disrupted (none of its {inZone.Count} nodes is ready); other zones are healthy, so its nodes are tainted for eviction at the normal rate",
                _ => $"Zone {label} is healthy again: evictions there go on at the normal rate",
            };
            foreach (var node in inZone)
                _nodeEvents.Record(node, state == ZoneState.Normal ? Event.Normal : Event.Warning, "ZoneDisruption", message);
        }
        _zones = plan.Zones;
    }

    private async Task KeepReminderAsync(bool wanted)
    {
        if (wanted && !_reminder)
        {
            await this.RegisterOrUpdateReminder(Reminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            _reminder = true;
        }
        else if (!wanted && await this.GetReminder(Reminder) is { } reminder)
        {
            // No node: nothing to watch until one is created (its grain wakes this one).
            await this.UnregisterReminder(reminder);
            _reminder = false;
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    private static string Describe(Taint taint) => $"{taint.Key}:{taint.Effect}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Node lifecycle controller active on {Silo} (grace period {Grace}); leases are judged after one grace period")]
    private static partial void LogActive(ILogger logger, string silo, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node}: its agent's lease lapsed (last renewal heard {RenewTime}); Ready is now Unknown")]
    private static partial void LogNodeUnknown(ILogger logger, string node, DateTimeOffset? renewTime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node}: taints added [{Added}], removed [{Removed}]")]
    private static partial void LogTaints(ILogger logger, string node, string added, string removed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted pod {Pod} from node {Node} for its taint {Taint}")]
    private static partial void LogEvicted(ILogger logger, string pod, string node, string taint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Zone {Zone} went from {Before} to {After}")]
    private static partial void LogZone(ILogger logger, string zone, ZoneState before, ZoneState after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No node of any zone is ready ({Nodes} nodes): evictions stop and NoExecute taints are lifted; the control plane's link is the likelier fault")]
    private static partial void LogAllDisrupted(ILogger logger, int nodes);

    [LoggerMessage(Level = LogLevel.Information, Message = "A node is ready again: evictions resume under the zone rule")]
    private static partial void LogDisruptionOver(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node lifecycle pass failed: {Reason}; trying again shortly")]
    private static partial void LogPassFailed(ILogger logger, string reason);
}
