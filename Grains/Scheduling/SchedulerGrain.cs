using System.Collections.Concurrent;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Scheduling;

/// <summary>
/// The cluster's scheduler. Each pass reads pods and nodes from this silo's watch cache, lets the pure
/// <see cref="SchedulingPlanner"/> decide every pending pod against that snapshot in one turn, then binds in
/// parallel through the pod grains (which refuse a stale binding, so a conflict just sends the pod round again).
/// Level-triggered: cache changes, pod grains and a reminder only mark it dirty; a short timer runs the pass.
/// A reminder brings it back on another silo after a failover. It reports Scheduled and FailedScheduling events as
/// kube-scheduler does (FailedScheduling once per new reason, not every pass).
/// </summary>
[KeepAlive]
public sealed partial class SchedulerGrain(WatchCache cache, TimeProvider time, EventBroadcaster events, ILogger<SchedulerGrain> logger)
    : Grain, ISchedulerGrain, IRemindable
{
    /// <summary>The component name on the scheduler's events, as kube-scheduler's.</summary>
    public const string Component = "default-scheduler";

    private const string ResyncReminder = "resync";
    private const int BindParallelism = 64;
    // Bounded batches keep each turn short; the next pass (50 ms later) takes the rest.
    private const int MaxDecisionsPerPass = 2000;
    private static readonly TimeSpan PassInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(5);

    // Pods bound by this activation that the cache does not show bound yet (kube-scheduler's "assumed" pods).
    private readonly ConcurrentDictionary<string, string> _assumed = new(StringComparer.Ordinal);
    // Unschedulable pods and the capacity generation they were last tried at: retried only when capacity changes.
    private readonly Dictionary<string, long> _unschedulable = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = Component });
    private long _capacityGeneration;
    private volatile bool _dirty = true;
    private DateTimeOffset _lastResync;
    private int _rotation;
    private long _passes;
    private long _bound;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        cache.For(ResourceKinds.Pod).Changed += OnPodsChanged;
        _subscriptions.Add(new Storage.CallbackDisposable(() => cache.For(ResourceKinds.Pod).Changed -= OnPodsChanged));
        // A new node, claim, volume or class may let an unschedulable pod go.
        foreach (var kind in (ResourceKind[])[ResourceKinds.Node, ResourceKinds.PersistentVolumeClaim, ResourceKinds.PersistentVolume, ResourceKinds.StorageClass])
        {
            cache.For(kind).Changed += OnNodesChanged;
            _subscriptions.Add(new Storage.CallbackDisposable(() => cache.For(kind).Changed -= OnNodesChanged));
        }
        this.RegisterGrainTimer(PassAsync, new GrainTimerCreationOptions(TimeSpan.Zero, PassInterval));
        await this.RegisterOrUpdateReminder(ResyncReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), cancellationToken);
        LogActivated(logger, RuntimeIdentity);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        foreach (var s in _subscriptions)
            s.Dispose();
        return Task.CompletedTask;
    }

    public Task WakeAsync()
    {
        _dirty = true;
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _dirty = true;
        return Task.CompletedTask;
    }

    public Task<SchedulerStats> GetStatsAsync()
    {
        var pending = cache.For(ResourceKinds.Pod).Snapshot(ObjectFilter.Everything).Items.Count(i => IsPending((Pod)i.Value));
        return Task.FromResult(new SchedulerStats(_passes, _bound, pending, _unschedulable.Count));
    }

    private void OnPodsChanged(IReadOnlyList<CachedEvent> events)
    {
        foreach (var e in events)
        {
            var pod = (Pod)e.Object;
            // Capacity is freed when a bound pod goes away or finishes.
            if (pod.Spec.NodeName is not null
                && (e.Type == WatchEventType.Deleted || (pod.Status?.Phase is "Succeeded" or "Failed" && (e.Previous as Pod)?.Status?.Phase is not ("Succeeded" or "Failed"))))
                Interlocked.Increment(ref _capacityGeneration);
        }
        _dirty = true;
    }

    private void OnNodesChanged(IReadOnlyList<CachedEvent> events)
    {
        Interlocked.Increment(ref _capacityGeneration);
        _dirty = true;
    }

    private static bool IsPending(Pod pod) =>
        pod.Spec.NodeName is null && pod.Metadata.DeletionTimestamp is null
        && pod.Spec.SchedulerName is null or "default-scheduler";

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _lastResync > ResyncInterval)
        {
            // Periodic resync: a lost wake-up delays a decision by seconds, never forever.
            _lastResync = now;
            _dirty = true;
        }
        if (!_dirty)
            return;
        _dirty = false;
        _passes++;

        var generation = Interlocked.Read(ref _capacityGeneration);
        var nodes = cache.For(ResourceKinds.Node).Snapshot(ObjectFilter.Everything).Items.Select(i => (Node)i.Value).ToList();
        var (bound, pending) = Partition(cache.For(ResourceKinds.Pod).Snapshot(ObjectFilter.Everything).Items, generation);
        if (pending.Count == 0)
            return;

        if (pending.Count > MaxDecisionsPerPass)
        {
            // Oldest first, as the planner orders them; the rest wait for the next pass.
            pending = [.. pending.OrderBy(p => p.Metadata.CreationTimestamp).Take(MaxDecisionsPerPass)];
            _dirty = true;
        }
        var plan = SchedulingPlanner.Plan(nodes, bound, pending, _rotation++, StorageFor(pending));
        foreach (var a in plan.Assignments)
        {
            _assumed[KeyOf(a.Namespace, a.Name)] = a.NodeName;
            _unschedulable.Remove(KeyOf(a.Namespace, a.Name));
        }
        foreach (var u in plan.Unschedulable)
            _unschedulable[KeyOf(u.Namespace, u.Name)] = generation;

        await Task.WhenAll(
            Parallel.ForEachAsync(plan.Assignments, new ParallelOptions { MaxDegreeOfParallelism = BindParallelism, TaskScheduler = TaskScheduler.Current }, (a, _) => BindAsync(a)),
            Parallel.ForEachAsync(plan.Unschedulable, new ParallelOptions { MaxDegreeOfParallelism = BindParallelism, TaskScheduler = TaskScheduler.Current }, (u, _) => MarkAsync(u)));
        if (plan.Assignments.Length > 0)
            LogPass(logger, plan.Assignments.Length, plan.Unschedulable.Length, nodes.Count);
    }

    /// <summary>Splits the cached pods into those holding capacity and those to decide in this pass.</summary>
    private (List<Pod> Bound, List<Pod> Pending) Partition(List<KeyValuePair<string, IResource>> items, long generation)
    {
        var bound = new List<Pod>(items.Count);
        var pending = new List<Pod>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in items)
        {
            var pod = (Pod)value;
            seen.Add(key);
            if (pod.Spec.NodeName is not null)
            {
                _assumed.TryRemove(key, out _);
                bound.Add(pod);
            }
            else if (_assumed.TryGetValue(key, out var node))
            {
                // Bound by us, not yet seen bound: it still holds the capacity we gave it.
                bound.Add(pod with { Spec = pod.Spec with { NodeName = node } });
            }
            else if (IsPending(pod) && !(_unschedulable.TryGetValue(key, out var triedAt) && triedAt == generation))
            {
                pending.Add(pod);
            }
        }
        foreach (var key in _unschedulable.Keys.Where(k => !seen.Contains(k)).ToList())
            _unschedulable.Remove(key);
        foreach (var key in _assumed.Keys.Where(k => !seen.Contains(k)).ToList())
            _assumed.TryRemove(key, out _);
        return (bound, pending);
    }

    /// <summary>Claims, volumes and classes from the cache, read only when a pending pod names a claim.</summary>
    private StorageSnapshot StorageFor(List<Pod> pending)
    {
        if (!pending.Any(p => p.Spec.Volumes?.Any(v => v.PersistentVolumeClaim is not null) == true))
            return StorageSnapshot.Empty;
        return new StorageSnapshot(
            Items<PersistentVolumeClaim>(ResourceKinds.PersistentVolumeClaim),
            Items<PersistentVolume>(ResourceKinds.PersistentVolume),
            Items<StorageClass>(ResourceKinds.StorageClass));
    }

    private Dictionary<string, T> Items<T>(ResourceKind kind) where T : class, IResource =>
        cache.For(kind).Snapshot(ObjectFilter.Everything).Items.ToDictionary(i => i.Key, i => (T)i.Value, StringComparer.Ordinal);

    private async ValueTask BindAsync(Assignment a)
    {
        var key = KeyOf(a.Namespace, a.Name);
        try
        {
            // WaitForFirstConsumer: the pod's unbound claims get their volumes on the chosen node first. A claim bound
            // elsewhere meanwhile is a Conflict, which sends the pod round again like any refused binding.
            foreach (var claim in a.Provision)
                await GrainFactory.GetGrain<IPersistentVolumeClaimGrain>(claim.Key).ProvisionAsync(a.NodeName, claim.Uid);
            var pod = await GrainFactory.GetGrain<IPodGrain>(key).BindAsync(a.NodeName, a.Uid);
            Interlocked.Increment(ref _bound);
            _events.Record(pod, Event.Normal, "Scheduled", $"Successfully assigned {key} to {a.NodeName}");
        }
        catch (GranaryException e)
        {
            // Deleted, replaced or bound meanwhile: forget the decision; the next pass sees the truth.
            _assumed.TryRemove(key, out _);
            LogBindFailed(logger, key, a.NodeName, e.Message);
            _dirty = true;
        }
    }

    private async ValueTask MarkAsync(Unschedulable u)
    {
        var key = KeyOf(u.Namespace, u.Name);
        if (cache.For(ResourceKinds.Pod).Get(key) is Pod pod
            && pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled") is { Status: "False" } c && c.Message == u.Message)
            return;
        try
        {
            if (await GrainFactory.GetGrain<IPodGrain>(key).MarkUnschedulableAsync(u.Uid, u.Message))
            {
                var involved = new ObjectReference { Kind = "Pod", ApiVersion = "v1", Namespace = u.Namespace, Name = u.Name, Uid = u.Uid };
                _events.Record(involved, Event.Warning, "FailedScheduling", u.Message);
            }
        }
        catch (NotFoundException)
        {
            // Deleted meanwhile: nothing to report.
        }
    }

    private static string KeyOf(string @namespace, string name) => $"{@namespace}/{name}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler active on {Silo}")]
    private static partial void LogActivated(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduling pass: bound {Bound}, unschedulable {Unschedulable}, nodes {Nodes}")]
    private static partial void LogPass(ILogger logger, int bound, int unschedulable, int nodes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Binding pod {Pod} to {Node} failed: {Reason}; it will be tried again")]
    private static partial void LogBindFailed(ILogger logger, string pod, string node, string reason);
}
