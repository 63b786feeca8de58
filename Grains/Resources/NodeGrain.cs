using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

/// <summary>
/// Owns one node (key: the node name): capacity, conditions, taints, the lease its agent renews, and the agent's
/// reports (pod statuses, events). The lease lives in grain storage, apart from the Node object, so heartbeats do not
/// flood watchers (Kubernetes keeps node leases as separate Lease objects for the same reason). The link to the agent
/// (its subscription, pod changes, logs and exec) is <see cref="Nodes.NodeAgentGrain"/>'s; the agent resyncs from
/// <see cref="GetAssignedPodsAsync"/>.
/// </summary>
public sealed partial class NodeGrain(
    IObjectStore store,
    TimeProvider time,
    ILogger<NodeGrain> logger,
    WatchCache cache,
    EventBroadcaster events,
    [PersistentState(NodeLease.StateName, StorageNames.Default)] IPersistentState<NodeLease> lease)
    : ResourceGrain<Node>(store, time, logger), INodeGrain, IRemindable
{
    /// <summary>The component on node lifecycle events, as Kubernetes' node controller's.</summary>
    public const string LifecycleComponent = "node-controller";
    private const int StatusParallelism = 32;
    private const string LeaseReminder = "lease-check";
    private static readonly TimeSpan LeaseCheckPeriod = TimeSpan.FromSeconds(5);
    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = LifecycleComponent });
    private IGrainTimer? _leaseTimer;

    protected override ImmutableList<FieldError> Validate(Node resource) => NodeValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(Node old, Node updated) => NodeValidation.ValidateUpdate(old, updated);

    // A node registers with its status (capacity, conditions); allocatable defaults to capacity.
    protected override Node PrepareCreate(Node resource) =>
        resource.Status is { Allocatable: null, Capacity: not null } status
            ? resource with { Status = status with { Allocatable = status.Capacity } }
            : resource;

    protected override Node WithSpec(Node existing, Node desired) => existing with { Spec = desired.Spec };

    protected override Node WithStatus(Node existing, Node desired) => existing with { Status = desired.Status };

    protected override async Task AfterWriteAsync(Node? before, Node? after)
    {
        await GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key).WakeAsync();
        await DaemonSets.DaemonSetNodeHints.NodeChangedAsync(GrainFactory, cache, before, after);
    }

    public async Task RenewLeaseAsync(string holder, TimeSpan duration)
    {
        if (Current is null)
            throw new NotFoundException(Kind.Plural, Name);
        var first = !lease.RecordExists;
        lease.State = new NodeLease { Holder = holder, RenewTime = Time.GetUtcNow(), Duration = duration };
        await lease.WriteStateAsync();
        // The agent is back: a node marked Unknown for a lapsed lease is Ready again.
        if (ReadyStatus(Current) != "True")
        {
            await SetReadyAsync("True", "KubeletReady", "granary agent is posting ready status");
            _events.Record(Current!, Event.Normal, "NodeReady", $"Node {Name} status is now: NodeReady");
        }
        StartLeaseChecks();
        if (first)
        {
            // A reminder survives the loss of this activation's silo; the timer gives seconds-level detection.
            await this.RegisterOrUpdateReminder(LeaseReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        StartLeaseChecks();
        await CheckLeaseAsync(CancellationToken.None);
    }

    private void StartLeaseChecks() =>
        _leaseTimer ??= this.RegisterGrainTimer(CheckLeaseAsync, new GrainTimerCreationOptions(LeaseCheckPeriod, LeaseCheckPeriod) { KeepAlive = true });

    /// <summary>
    /// The node lifecycle check: when the agent's lease lapses, Ready becomes Unknown (as Kubernetes' node
    /// controller does), so the scheduler stops placing pods there and users see that the agent is gone.
    /// </summary>
    private async Task CheckLeaseAsync(CancellationToken cancellationToken)
    {
        if (Current is null || !lease.RecordExists || lease.State.RenewTime + lease.State.Duration > Time.GetUtcNow())
            return;
        if (ReadyStatus(Current) == "Unknown")
            return;
        LogLeaseExpired(Logger, Name, lease.State.RenewTime);
        await SetReadyAsync("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.");
        _events.Record(Current!, Event.Normal, "NodeNotReady", $"Node {Name} status is now: NodeNotReady");
    }

    private static string? ReadyStatus(Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;

    private async Task SetReadyAsync(string status, string reason, string message)
    {
        var node = Current!;
        var now = Now();
        var conditions = (node.Status?.Conditions ?? []).RemoveAll(c => c.Type == "Ready")
            .Insert(0, new NodeCondition { Type = "Ready", Status = status, Reason = reason, Message = message, LastHeartbeatTime = now, LastTransitionTime = now });
        await WriteUpdateAsync(node, node with { Status = (node.Status ?? new NodeStatus()) with { Conditions = conditions } });
    }

    public Task<bool> HasLiveAgentAsync() =>
        Task.FromResult(lease.RecordExists && lease.State.RenewTime + lease.State.Duration > Time.GetUtcNow());

    public async Task<Node> RegisterAsync(Node node)
    {
        if (Current is null)
        {
            var created = await CreateAsync(node);
            LogRegistered(Logger, Name, "created");
            _events.Record(created, Event.Normal, "RegisteredNode", $"Node {Name} event: Registered Node {Name} in Controller");
            return created;
        }
        // Re-registration refreshes what the agent observes (status) and adds its labels and annotations; spec stays the operator's.
        var existing = Current;
        var labels = (existing.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty).SetItems(node.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty);
        var annotations = node.Metadata.Annotations is { Count: > 0 } added
            ? (existing.Metadata.Annotations ?? ImmutableSortedDictionary<string, string>.Empty).SetItems(added)
            : existing.Metadata.Annotations;
        var status = PrepareCreate(node).Status;
        var updated = existing with { Metadata = existing.Metadata with { Labels = labels, Annotations = annotations }, Status = status };
        var written = await WriteUpdateAsync(existing, updated) ?? existing;
        LogRegistered(Logger, Name, "updated");
        return written;
    }

    public async Task<ImmutableArray<Pod>> GetAssignedPodsAsync()
    {
        var pods = await cache.ConsistentAsync(ResourceKinds.Pod);
        var (_, items) = pods.Snapshot(ObjectFilter.Parse(null, null, $"spec.nodeName={Name}"));
        return [.. items.Select(i => (Pod)i.Value)];
    }

    public async Task<ImmutableArray<string>> ReportPodStatusesAsync(ImmutableArray<PodStatusReport> reports)
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(
            reports,
            new ParallelOptions { MaxDegreeOfParallelism = StatusParallelism, TaskScheduler = TaskScheduler.Current },
            async (report, _) =>
            {
                try
                {
                    await GrainFactory.GetGrain<IPodGrain>($"{report.Namespace}/{report.Name}").ReportStatusAsync(Name, report.Uid, report.Status);
                }
                catch (GranaryException e)
                {
                    failures.Add($"{report.Namespace}/{report.Name}: {e.Message}");
                }
            });
        return [.. failures];
    }

    public async Task<ImmutableArray<string>> RecordEventsAsync(ImmutableArray<Event> events)
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(
            events,
            new ParallelOptions { MaxDegreeOfParallelism = StatusParallelism, TaskScheduler = TaskScheduler.Current },
            async (e, _) =>
            {
                var key = $"{e.Metadata.Namespace}/{e.Metadata.Name}";
                if (await RefusalAsync(e) is { } refusal)
                {
                    failures.Add($"{key}: {refusal}");
                    return;
                }
                try
                {
                    await GrainFactory.GetGrain<IEventGrain>(key).RecordAsync(e);
                }
                catch (GranaryException error)
                {
                    failures.Add($"{key}: {error.Message}");
                }
            });
        return [.. failures];
    }

    /// <summary>Why this node may not report <paramref name="e"/>; null when it may (about itself, or a pod bound to it).</summary>
    private async Task<string?> RefusalAsync(Event e)
    {
        var involved = e.InvolvedObject;
        if (!string.IsNullOrEmpty(e.Source?.Host) && e.Source.Host != Name)
            return $"node \"{Name}\" cannot report events as host \"{e.Source.Host}\"";
        if (involved.Kind == "Node")
            return involved.Name == Name ? null : $"node \"{Name}\" cannot report events about node \"{involved.Name}\"";
        if (involved.Kind != "Pod")
            return $"node \"{Name}\" can report events only about itself and its pods, not a {involved.Kind}";
        var key = $"{involved.Namespace}/{involved.Name}";
        // The local cache usually has the pod; a pod bound a moment ago may need a consistent read.
        if (!IsBoundHere(cache.For(ResourceKinds.Pod).Get(key), involved.Uid))
        {
            var pods = await cache.ConsistentAsync(ResourceKinds.Pod);
            if (!IsBoundHere(pods.Get(key), involved.Uid))
                return $"node \"{Name}\" cannot report events about pod {key}: it is not bound to this node";
        }
        return null;
    }

    private bool IsBoundHere(IResource? resource, string? uid) =>
        resource is Pod pod && pod.Spec.NodeName == Name && (string.IsNullOrEmpty(uid) || pod.Metadata.Uid == uid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node}: its agent's lease lapsed (last renewed {RenewTime}); marking it Unknown")]
    private static partial void LogLeaseExpired(ILogger logger, string node, DateTimeOffset renewTime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} registered by its agent ({Outcome})")]
    private static partial void LogRegistered(ILogger logger, string node, string outcome);
}

/// <summary>The agent's lease on its node.</summary>
[GenerateSerializer, Alias("granary.NodeLease")]
public sealed class NodeLease
{
    public const string StateName = "lease";

    [Id(0)] public string Holder { get; set; } = "";
    [Id(1)] public DateTimeOffset RenewTime { get; set; }
    [Id(2)] public TimeSpan Duration { get; set; }
}
