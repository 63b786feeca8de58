using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Nodes;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Resources;

/// <summary>
/// Owns one node (key: the node name): capacity, conditions, taints, the lease its agent renews, and the agent's
/// reports (pod statuses, events). The lease lives in grain storage, apart from the Node object, so heartbeats do not
/// flood watchers (Kubernetes keeps node leases as separate Lease objects for the same reason). Judging leases, and
/// what follows when one lapses, is <see cref="Nodes.NodeLifecycleGrain"/>'s; this grain tells it of every renewal.
/// The link to the agent (its subscription, pod changes, logs and exec) is <see cref="Nodes.NodeAgentGrain"/>'s; the
/// agent resyncs from <see cref="GetAssignedPodsAsync"/>.
/// </summary>
public sealed partial class NodeGrain(
    IObjectStore store,
    TimeProvider time,
    ILogger<NodeGrain> logger,
    WatchCache cache,
    EventBroadcaster events,
    IOptions<NodeLifecycleOptions> lifecycle,
    [PersistentState(NodeLease.StateName, StorageNames.Default)] IPersistentState<NodeLease> lease)
    : ResourceGrain<Node>(store, time, logger), INodeGrain, IRemindable
{
    /// <summary>The component on node lifecycle events, as Kubernetes' node controller's.</summary>
    public const string LifecycleComponent = "node-controller";
    private const int StatusParallelism = 32;
    // The reminder older versions registered for their own lease checks; dropped when it fires.
    private const string RetiredLeaseReminder = "lease-check";
    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = LifecycleComponent });

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
        await GrainFactory.GetGrain<INodeLifecycleGrain>(INodeLifecycleGrain.Key).WakeAsync();
    }

    public async Task RenewLeaseAsync(string holder, TimeSpan duration)
    {
        if (Current is null)
            throw new NotFoundException(Kind.Plural, Name);
        // A node acts only for itself: its agent holds the lease under the node's name (kube's NodeRestriction).
        if (holder != Name)
            throw new ForbiddenException($"\"{holder}\" cannot renew the lease of node \"{Name}\": only the node's own agent (holder \"{Name}\") may");
        if (duration <= TimeSpan.Zero)
            throw new BadRequestException($"lease duration {duration} for node \"{Name}\" must be positive");
        var grace = lifecycle.Value.GracePeriod;
        var renewed = new NodeLeaseInfo(holder, Time.GetUtcNow(), duration < grace ? duration : grace);
        lease.State = new NodeLease { Holder = renewed.Holder, RenewTime = renewed.RenewTime, Duration = renewed.Duration };
        await lease.WriteStateAsync();
        await GrainFactory.GetGrain<INodeLifecycleGrain>(INodeLifecycleGrain.Key).LeaseRenewedAsync(Name, renewed);
        // The agent is back (or posts for the first time): Ready, as the kubelet's status would say. The lifecycle
        // controller removes the not-ready and unreachable taints once it sees this.
        if (ReadyStatus(Current) != "True")
        {
            await SetReadyAsync("True", "KubeletReady", "granary agent is posting ready status");
            _events.Record(Current!, Event.Normal, "NodeReady", $"Node {Name} status is now: NodeReady");
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RetiredLeaseReminder && await this.GetReminder(reminderName) is { } retired)
            await this.UnregisterReminder(retired);
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

    public Task<NodeLeaseInfo?> GetLeaseAsync() =>
        Task.FromResult(lease.RecordExists ? new NodeLeaseInfo(lease.State.Holder, lease.State.RenewTime, lease.State.Duration) : null);

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
