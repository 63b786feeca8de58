using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Workloads;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Scheduling;

/// <summary>
/// The cluster's scheduler. Each pass reads pods and nodes from this silo's watch cache, lets the pure
/// <see cref="SchedulingPlanner"/> decide every pending pod against that snapshot in one turn, then starts the bindings
/// through the pod grains (which refuse a stale binding, so a conflict just sends the pod round again) without waiting
/// for them, as kube-scheduler's binding cycle runs apart from its scheduling cycle: the assumed pods hold their room,
/// so the next pass decides the next pods while the bindings are written.
/// Level-triggered and idle when there is nothing to do: cache changes, pod grains and a reminder arm a one-shot
/// timer that runs one pass as soon as the spacing after the last allows (at once after a quiet spell; 50 ms or more
/// after a pass that decided pods, so many changes coalesce into one pass); the timer is re-armed only while work is left
/// (the rest of a bounded batch, a failed binding). Pods that fit nowhere are tried again when room or the pods they
/// count change. A one-minute reminder brings it back on another silo after a failover. It reports Scheduled and FailedScheduling events as kube-scheduler does
/// (FailedScheduling once per new reason, not every pass).
/// </summary>
[KeepAlive]
public sealed partial class SchedulerGrain(WatchCache cache, TimeProvider time, EventBroadcaster events, ILogger<SchedulerGrain> logger)
    : Grain, ISchedulerGrain, IRemindable
{
    /// <summary>The component name on the scheduler's events, as kube-scheduler's.</summary>
    public const string Component = "default-scheduler";

    private const string ResyncReminder = "resync";
    private const int BindParallelism = 64;
    // Bounded batches keep each turn short; the next pass takes the rest.
    private const int MaxDecisionsPerPass = 2000;
    // Decisions whose bindings are still being written; beyond this a pass waits for them, so a slow store cannot
    // pile up unbounded work (each finished batch wakes the scheduler again).
    private const int MaxBindsInFlight = 4000;
    // Passes are spaced, not delayed: a wake-up after a quiet spell runs a pass at once (one pod created alone is
    // decided without waiting), while a pass that decided pods is followed by the next only this much later, so the
    // pods of a burst coalesce into few passes.
    private static readonly TimeSpan PassDelay = TimeSpan.FromMilliseconds(50);
    // A pass reads every cached pod, so the next one starts at least twice as long after the last ended as the last
    // took: the scheduler then spends at most a third of a core on passes, and more pods are decided in each.
    private const int PassCostFactor = 2;
    private static readonly TimeSpan MaxPassDelay = TimeSpan.FromSeconds(1);
    // After a pass that failed (an unexpected error), the next try.
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan BindTimeout = TimeSpan.FromSeconds(10);

    // Pods bound by this activation that the cache does not show bound yet (kube-scheduler's "assumed" pods).
    private readonly AssumedPods _assumed = new(time, BindTimeout);
    // Unschedulable pods and the capacity generation they were last tried at: retried only when capacity changes.
    private readonly Dictionary<string, long> _unschedulable = new(StringComparer.Ordinal);
    // When each pending pod was first found pending (a TimeProvider timestamp), for scheduler_pod_scheduling_duration_seconds.
    private readonly Dictionary<string, long> _pendingSince = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = Component });
    private ISchedulerGrain? _self;
    private IGrainTimer? _timer;
    private TimeSpan? _armedFor;
    private int _wakeSent;
    private long _capacityGeneration;
    private volatile bool _dirty = true;
    private int _rotation;
    private long _passes;
    private long _bound;
    private int _bindsInFlight;
    private TimeSpan _lastPassCost;
    // A pass found pending pods but no room for more bindings in flight: the next finished batch runs it again.
    private bool _deferred;
    // When the last pass ended (a TimeProvider timestamp; 0 before the first) and whether it decided any pod.
    private long _lastPassEnded;
    private bool _lastPassDecided;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _self = this.AsReference<ISchedulerGrain>();
        cache.For(ResourceKinds.Pod).Changed += OnPodsChanged;
        _subscriptions.Add(new Storage.CallbackDisposable(() => cache.For(ResourceKinds.Pod).Changed -= OnPodsChanged));
        // A new node, claim, volume or class may let an unschedulable pod go.
        foreach (var kind in (ResourceKind[])[ResourceKinds.Node, ResourceKinds.PersistentVolumeClaim, ResourceKinds.PersistentVolume, ResourceKinds.StorageClass])
        {
            cache.For(kind).Changed += OnNodesChanged;
            _subscriptions.Add(new Storage.CallbackDisposable(() => cache.For(kind).Changed -= OnNodesChanged));
        }
        Arm(TimeSpan.Zero);
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
        Volatile.Write(ref _wakeSent, 0);
        _dirty = true;
        Arm(NextPassDelay());
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => WakeAsync();

    public Task<SchedulerStats> GetStatsAsync()
    {
        var pending = cache.For(ResourceKinds.Pod).Snapshot(ObjectFilter.Everything).Items.Count(i => IsPending((Pod)i.Value));
        return Task.FromResult(new SchedulerStats(_passes, _bound, pending, _unschedulable.Count)
        {
            Idle = _armedFor is null && Volatile.Read(ref _bindsInFlight) == 0,
            Assumed = _assumed.Count,
        });
    }

    /// <summary>
    /// Makes sure a pass runs within <paramref name="delay"/>; an earlier pass already armed stands, so a stream of
    /// wake-ups never pushes the pass back. Each arm is its own one-shot timer (a timer changed from inside its own
    /// callback would be re-set when the callback ends). Runs on the grain's scheduler only.
    /// </summary>
    private void Arm(TimeSpan delay)
    {
        if (_armedFor is { } armed && armed <= delay)
            return;
        _timer?.Dispose();
        _armedFor = delay;
        _timer = this.RegisterGrainTimer(PassAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
    }

    // Cache events arrive on the cache's thread, where the grain's own services may not be touched: mark dirty and send
    // one wake-up through the reference taken at activation; the wake-up, on the grain's scheduler, arms the timer.
    private void WakeFromCache()
    {
        _dirty = true;
        if (Interlocked.Exchange(ref _wakeSent, 1) == 0)
            _self?.WakeAsync().Ignore();
    }

    private void OnPodsChanged(IReadOnlyList<CachedEvent> events)
    {
        var relevant = false;
        foreach (var e in events)
        {
            var pod = (Pod)e.Object;
            if (pod.Spec.NodeName is null)
            {
                // A pod to decide (or one that went away before it was).
                relevant = true;
            }
            else if (ChangesPlacement(e, pod))
            {
                // Room freed, or a pod another pod's affinity or spreading counts came, went or was relabelled:
                // pods that fit nowhere get another try.
                Interlocked.Increment(ref _capacityGeneration);
                relevant = true;
            }
        }
        // A bound pod's status (the agent's reports, most pod writes) changes nothing the scheduler decides on.
        if (relevant)
            WakeFromCache();
    }

    private static bool ChangesPlacement(CachedEvent e, Pod pod)
    {
        var previous = e.Previous as Pod;
        return e.Type == WatchEventType.Deleted
            || previous?.Spec.NodeName is null
            || (NodeSnapshot.IsTerminal(pod) && !NodeSnapshot.IsTerminal(previous))
            || (pod.Metadata.DeletionTimestamp is not null && previous.Metadata.DeletionTimestamp is null)
            || !LabelsEqual(pod.Metadata.Labels, previous.Metadata.Labels);
    }

    private static bool LabelsEqual(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(l => b!.TryGetValue(l.Key, out var v) && v == l.Value));

    private void OnNodesChanged(IReadOnlyList<CachedEvent> events)
    {
        Interlocked.Increment(ref _capacityGeneration);
        WakeFromCache();
    }

    private static bool IsPending(Pod pod) =>
        pod.Spec.NodeName is null && pod.Metadata.DeletionTimestamp is null
        && pod.Spec.SchedulerName is null or "default-scheduler";

    private Task PassAsync(CancellationToken cancellationToken)
    {
        // This one-shot timer is spent: the next arm makes a new one.
        _timer?.Dispose();
        _timer = null;
        _armedFor = null;
        // A wake-up that was sent but never arrived must not silence the cache's next ones.
        Volatile.Write(ref _wakeSent, 0);
        if (!_dirty)
            return Task.CompletedTask;
        _dirty = false;
        _passes++;
        var completed = false;
        try
        {
            RunPass();
            completed = true;
        }
        finally
        {
            // Work left (the rest of a bounded batch, a refused binding) runs at once; a failed pass in a while.
            // Otherwise the timer stays disarmed until a change wakes it.
            if (!completed)
            {
                _dirty = true;
                Arm(RetryInterval);
            }
            else if (_dirty)
            {
                Arm(NextPassDelay());
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>How long until the next pass may start: what is left of the spacing after the last pass.</summary>
    private TimeSpan NextPassDelay()
    {
        // A pass that found nothing to decide (the wake-up outran the cache) needs no coalescing after it: only its
        // cost spaces the next.
        var floor = _lastPassDecided ? PassDelay : TimeSpan.Zero;
        var spacing = _lastPassCost * PassCostFactor;
        spacing = spacing < floor ? floor : spacing > MaxPassDelay ? MaxPassDelay : spacing;
        var left = spacing - time.GetElapsedTime(_lastPassEnded);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private void RunPass()
    {
        var started = time.GetTimestamp();
        _lastPassDecided = false;
        try
        {
            Decide();
        }
        finally
        {
            _lastPassEnded = time.GetTimestamp();
            _lastPassCost = time.GetElapsedTime(started, _lastPassEnded);
        }
    }

    private void Decide()
    {
        var generation = Interlocked.Read(ref _capacityGeneration);
        var nodes = cache.For(ResourceKinds.Node).Snapshot(ObjectFilter.Everything).Items.Select(i => (Node)i.Value).ToList();
        var (bound, pending) = Partition(cache.For(ResourceKinds.Pod).Snapshot(ObjectFilter.Everything).Items, generation);
        if (pending.Count == 0)
            return;

        var budget = Math.Min(MaxDecisionsPerPass, MaxBindsInFlight - Volatile.Read(ref _bindsInFlight));
        if (budget <= 0)
        {
            // The bindings under way end with a wake-up (see BindBatchAsync), which brings this pass back; until
            // then no timer runs passes that could decide nothing.
            _deferred = true;
            return;
        }
        if (pending.Count > budget)
        {
            // Oldest first, as the planner orders them; the rest wait for the next pass.
            pending = [.. pending.OrderBy(p => p.Metadata.CreationTimestamp).Take(budget)];
            _dirty = true;
        }
        var plan = SchedulingPlanner.Plan(nodes, bound, pending, _rotation++, StorageFor(pending), ContextFor(pending));
        foreach (var a in plan.Assignments)
        {
            _assumed.Assume(KeyOf(a.Namespace, a.Name), a.NodeName);
            _unschedulable.Remove(KeyOf(a.Namespace, a.Name));
        }
        foreach (var u in plan.Unschedulable)
            _unschedulable[KeyOf(u.Namespace, u.Name)] = generation;

        if (plan.Assignments.Length > 0)
            LogPass(logger, plan.Assignments.Length, plan.Unschedulable.Length, nodes.Count);
        if (plan.Assignments.Length + plan.Unschedulable.Length > 0)
        {
            _lastPassDecided = true;
            Interlocked.Add(ref _bindsInFlight, plan.Assignments.Length + plan.Unschedulable.Length);
            BindBatchAsync(plan).Ignore();
        }
    }

    /// <summary>
    /// Writes one pass's decisions on the grain's scheduler (its continuations interleave with later passes, which
    /// only read the assumed pods), then wakes the scheduler when work was left waiting for it.
    /// </summary>
    private async Task BindBatchAsync(SchedulingPlan plan)
    {
        var failed = false;
        try
        {
            await Task.WhenAll(
                Parallel.ForEachAsync(plan.Assignments, new ParallelOptions { MaxDegreeOfParallelism = BindParallelism, TaskScheduler = TaskScheduler.Current }, (a, _) => BindAsync(a)),
                Parallel.ForEachAsync(plan.Unschedulable, new ParallelOptions { MaxDegreeOfParallelism = BindParallelism, TaskScheduler = TaskScheduler.Current }, (u, _) => MarkAsync(u)));
        }
        catch (Exception e)
        {
            // Not a refused binding (those are handled per pod): the pods whose bindings did not end come round again.
            LogBatchFailed(logger, e);
            failed = true;
        }
        finally
        {
            Interlocked.Add(ref _bindsInFlight, -(plan.Assignments.Length + plan.Unschedulable.Length));
            if (failed)
            {
                _dirty = true;
                Arm(RetryInterval);
            }
            else if (_dirty || _deferred)
            {
                _deferred = false;
                _dirty = true;
                Arm(NextPassDelay());
            }
        }
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
                _assumed.Confirm(key);
                _pendingSince.Remove(key);
                bound.Add(pod);
            }
            else if (_assumed.TryGetNode(key, out var node))
            {
                // Bound by us, not yet seen bound: it still holds the capacity we gave it.
                bound.Add(pod with { Spec = pod.Spec with { NodeName = node } });
            }
            else if (IsPending(pod))
            {
                _pendingSince.TryAdd(key, time.GetTimestamp());
                if (!(_unschedulable.TryGetValue(key, out var triedAt) && triedAt == generation))
                    pending.Add(pod);
            }
        }
        foreach (var key in _unschedulable.Keys.Where(k => !seen.Contains(k)).ToList())
            _unschedulable.Remove(key);
        foreach (var key in _pendingSince.Keys.Where(k => !seen.Contains(k)).ToList())
            _pendingSince.Remove(key);
        _assumed.RetainOnly(seen);
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

    /// <summary>
    /// Namespace labels and the default spreading selectors (Services, and the selectors of the pending pods' ReplicaSets
    /// and StatefulSets), read only when a pending pod can use them: one with pod affinity terms, or labels.
    /// </summary>
    private SchedulingContext ContextFor(List<Pod> pending)
    {
        if (!pending.Any(p => p.Spec.Affinity is not null || p.Metadata.Labels is { Count: > 0 }))
            return SchedulingContext.Empty;
        var namespaces = cache.For(ResourceKinds.Namespace).Snapshot(ObjectFilter.Everything).Items
            .Select(i => i.Value.Metadata)
            .ToDictionary(m => m.Name ?? "", m => (IReadOnlyDictionary<string, string>)(m.Labels ?? ImmutableSortedDictionary<string, string>.Empty), StringComparer.Ordinal);
        var services = cache.For(ResourceKinds.Service).Snapshot(ObjectFilter.Everything).Items.Select(i => (Service)i.Value);
        // The pending pods' own ReplicaSets and StatefulSets (kube's default spreading), looked up by key, not scanned.
        var controllers = new Dictionary<string, LabelSelectorSpec>(StringComparer.Ordinal);
        foreach (var pod in pending)
        {
            if (OwnerReferences.ControllerRef(pod.Metadata) is not { } owner || controllers.ContainsKey(owner.Uid))
                continue;
            var key = KeyOf(pod.Metadata.Namespace ?? "", owner.Name);
            var selector = owner.Kind switch
            {
                "ReplicaSet" => (cache.For(ResourceKinds.ReplicaSet).Get(key) as ReplicaSet) is { } rs && rs.Metadata.Uid == owner.Uid ? rs.Spec.Selector : null,
                "StatefulSet" => (cache.For(ResourceKinds.StatefulSet).Get(key) as StatefulSet) is { } sts && sts.Metadata.Uid == owner.Uid ? sts.Spec.Selector : null,
                _ => null,
            };
            if (selector is not null)
                controllers[owner.Uid] = selector;
        }
        return new SchedulingContext(namespaces, new SpreadSelectors(services, controllers));
    }

    private Dictionary<string, T> Items<T>(ResourceKind kind) where T : class, IResource =>
        cache.For(kind).Snapshot(ObjectFilter.Everything).Items.ToDictionary(i => i.Key, i => (T)i.Value, StringComparer.Ordinal);

    private async ValueTask BindAsync(Assignment a)
    {
        var key = KeyOf(a.Namespace, a.Name);
        Pod? pod = null;
        var outcome = await _assumed.BindAsync(key, async () =>
        {
            // WaitForFirstConsumer: the pod's unbound claims get their volumes on the chosen node first. A claim bound
            // elsewhere meanwhile is a Conflict, which sends the pod round again like any refused binding.
            foreach (var claim in a.Provision)
                await GrainFactory.GetGrain<IPersistentVolumeClaimGrain>(claim.Key).ProvisionAsync(a.NodeName, claim.Uid);
            pod = await GrainFactory.GetGrain<IPodGrain>(key).BindAsync(a.NodeName, a.Uid);
        });
        if (outcome.Succeeded && pod is not null)
        {
            Interlocked.Increment(ref _bound);
            SchedulerMetrics.Scheduled(_pendingSince.Remove(key, out var since) ? time.GetElapsedTime(since) : null);
            _events.Record(pod, Event.Normal, "Scheduled", $"Successfully assigned {key} to {a.NodeName}");
            return;
        }
        // Deleted, replaced, bound meanwhile, or no answer: the assumption is already forgotten; the next pass sees the truth.
        LogBindFailed(logger, key, a.NodeName, outcome.Reason ?? "");
        SchedulerMetrics.Error();
        _dirty = true;
    }

    private async ValueTask MarkAsync(Unschedulable u)
    {
        var key = KeyOf(u.Namespace, u.Name);
        SchedulerMetrics.Unschedulable();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing a pass's bindings failed; the pods not bound are tried again")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Binding pod {Pod} to {Node} failed: {Reason}; it will be tried again")]
    private static partial void LogBindFailed(ILogger logger, string pod, string node, string reason);
}
