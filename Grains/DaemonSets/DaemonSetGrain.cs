using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Grains.Workloads;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.DaemonSets;

/// <summary>
/// Owns one DaemonSet (key "namespace/name") and is its controller, as kube's daemon controller: each pass brings the
/// template's history up to date (a ControllerRevision per template), plans with <see cref="DaemonSetPlanner"/> from
/// the nodes and its pods in the silo's watch cache (consistent reads, by the owner index), creates and deletes pods,
/// trims the history and writes status. Its pods tell it of their changes and node grains of node changes.
/// </summary>
public sealed partial class DaemonSetGrain(IObjectStore store, TimeProvider time, ILogger<DaemonSetGrain> logger, WatchCache cache,
    EventBroadcaster events)
    : ControllerGrain<DaemonSet>(store, time, logger), IDaemonSetGrain
{
    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = "daemonset-controller" });

    private PodControl? _podControl;

    // In memory as in kube: losing it to a failover only shortens one node's back-off.
    private ImmutableDictionary<string, FailedPodBackoff> _backoff = ImmutableDictionary<string, FailedPodBackoff>.Empty;

    private PodControl Pods => _podControl ??= new PodControl(GrainFactory, _events);

    protected override ImmutableList<FieldError> Validate(DaemonSet resource) => DaemonSetValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(DaemonSet old, DaemonSet updated) => DaemonSetValidation.ValidateUpdate(old, updated);

    protected override DaemonSet ApplyDefaults(DaemonSet resource) => DaemonSetDefaults.Apply(resource);

    // Status is the controller's: a create starts from an empty one, as in Kubernetes.
    protected override DaemonSet PrepareCreate(DaemonSet resource) => resource with { Status = new DaemonSetStatus() };

    protected override DaemonSet WithSpec(DaemonSet existing, DaemonSet desired) => existing with { Spec = desired.Spec };

    protected override DaemonSet WithStatus(DaemonSet existing, DaemonSet desired) => existing with { Status = desired.Status };

    protected override bool OwnsDependents => true;

    public Task PodChangedAsync() => ReconcileSoonAsync();

    public Task NodesChangedAsync() => ReconcileSoonAsync();

    protected override async Task<DateTimeOffset?> ReconcileAsync()
    {
        if (Current is not { Metadata.DeletionTimestamp: null } ds)
            return null;
        var now = Time.GetUtcNow();
        var history = await SyncHistoryAsync(ds);
        if (history is null)
            return now; // the collision count changed: hash again at once
        var hash = history.Current.Metadata.Labels![ControllerHistory.HashLabel];

        var nodes = (await cache.ConsistentAsync(ResourceKinds.Node)).Snapshot(ObjectFilter.Everything).Items.Select(i => (Node)i.Value).ToList();
        var pods = (await cache.ConsistentAsync(ResourceKinds.Pod)).OwnedBy(ds.Metadata.Uid!).Cast<Pod>()
            .Where(p => p.Metadata.Namespace == NamespaceName && OwnerReferences.IsControlledBy(p.Metadata, ds.Metadata.Uid)).ToList();
        var sync = DaemonSetPlanner.Plan(ds, hash, nodes, pods, _backoff, now);
        _backoff = sync.Backoff;

        if (sync.ToDelete.Count > 0)
            await DeletePodsAsync(ds, sync.ToDelete);
        if (sync.NodesToCreate.Count > 0)
            await CreatePodsAsync(ds, hash, sync.NodesToCreate);
        await TrimHistoryAsync(ds, history, pods);

        if (Current is { } latest)
            await WriteUpdateAsync(latest, latest with { Status = sync.Status with { CollisionCount = latest.Status?.CollisionCount } });

        if (sync.HasActions)
            return now + UnconvergedResync;
        // Pods that are not up to date or available yet say so when they change; the resync covers a lost word.
        return sync.RecheckAt ?? (sync.Converged ? null : now + UnconvergedResync);
    }

    /// <summary>
    /// The revision of the current template, created or renumbered as needed (kube's constructHistory). Null when its
    /// name was taken by another template: the collision count is raised so the next pass hashes to a free name.
    /// </summary>
    private async Task<HistorySync?> SyncHistoryAsync(DaemonSet ds)
    {
        var revisions = (await cache.ConsistentAsync(ResourceKinds.ControllerRevision)).OwnedBy(ds.Metadata.Uid!).Cast<ControllerRevision>()
            .Where(r => r.Metadata.Namespace == NamespaceName && OwnerReferences.IsControlledBy(r.Metadata, ds.Metadata.Uid));
        var collisionCount = ds.Status?.CollisionCount;
        var sync = ControllerHistory.Sync(ds, ds.Spec.Template!, collisionCount, revisions);
        foreach (var duplicate in sync.Duplicates)
            await DeleteRevisionAsync(duplicate);
        var grain = GrainFactory.GetGrain<IControllerRevisionGrain>($"{NamespaceName}/{sync.Current.Metadata.Name}");
        if (sync.Renumber)
        {
            await grain.UpdateAsync(sync.Current);
            LogRenumbered(Logger, Key, sync.Current.Metadata.Name!, sync.Current.Revision);
        }
        else if (sync.Create)
        {
            try
            {
                await grain.CreateAsync(sync.Current);
            }
            catch (AlreadyExistsException)
            {
                if (ControllerHistory.Matches(await grain.GetAsync(), ds.Spec.Template!))
                    return sync;
                LogCollision(Logger, Key, sync.Current.Metadata.Name!);
                await WriteUpdateAsync(ds, ds with { Status = (ds.Status ?? new DaemonSetStatus()) with { CollisionCount = (collisionCount ?? 0) + 1 } });
                return null;
            }
        }
        return sync;
    }

    /// <summary>Deletes old revisions beyond revisionHistoryLimit, keeping those a pod still runs (kube's cleanupHistory).</summary>
    private async Task TrimHistoryAsync(DaemonSet ds, HistorySync history, IReadOnlyList<Pod> pods)
    {
        var live = pods.Select(p => p.Metadata.Labels?.GetValueOrDefault(ControllerHistory.HashLabel)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var limit = ds.Spec.RevisionHistoryLimit ?? ControllerHistory.DefaultLimit;
        foreach (var revision in ControllerHistory.ToDelete(history.Old, r => live.Contains(r.Metadata.Labels?.GetValueOrDefault(ControllerHistory.HashLabel) ?? ""), limit))
            await DeleteRevisionAsync(revision);
    }

    private async Task DeleteRevisionAsync(ControllerRevision revision)
    {
        try
        {
            await GrainFactory.GetGrain<IControllerRevisionGrain>($"{NamespaceName}/{revision.Metadata.Name}")
                .DeleteAsync(new DeleteOptions { PreconditionUid = revision.Metadata.Uid });
        }
        catch (GranaryException e) when (e is NotFoundException or ConflictException)
        {
            // Gone or replaced already.
        }
    }

    /// <summary>Creates pods in batches of 1, 2, 4, … (kube's slow start), stopping at the first batch with a failure.</summary>
    private async Task CreatePodsAsync(DaemonSet ds, string hash, IReadOnlyList<string> nodes)
    {
        var created = await PodControl.SlowStartAsync(nodes, node => CreatePodAsync(ds, hash, node));
        if (created < nodes.Count)
            throw new InvalidOperationException($"could not create the pods of daemonset {Key} on {nodes.Count - created} node(s); see the events");
        LogCreated(Logger, Key, nodes.Count);
    }

    private async Task<bool> CreatePodAsync(DaemonSet ds, string hash, string node)
    {
        if (await Pods.CreateAsync(ds, name => DaemonPods.NewPod(ds, hash, node, name)) is not { } error)
            return true;
        LogCreateFailed(Logger, Key, node, error);
        return false;
    }

    private async Task DeletePodsAsync(DaemonSet ds, IReadOnlyList<DaemonPodDeletion> deletions)
    {
        await Task.WhenAll(deletions.Select(d =>
        {
            if (d.FailedOnNode is { } node)
                _events.Record(ds, Event.Warning, "FailedDaemonPod", $"Found failed daemon pod {d.Pod.Metadata.Namespace}/{d.Pod.Metadata.Name} on node {node}, will try to kill it");
            return Pods.DeleteAsync(ds, d.Pod, d.Force ? 0 : null);
        }));
        LogDeleted(Logger, Key, deletions.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DaemonSet {Key} created {Count} pod(s)")]
    private static partial void LogCreated(ILogger logger, string key, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "DaemonSet {Key} deleted {Count} pod(s)")]
    private static partial void LogDeleted(ILogger logger, string key, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DaemonSet {Key} could not create its pod on node {Node}: {Reason}")]
    private static partial void LogCreateFailed(ILogger logger, string key, string node, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "DaemonSet {Key}: revision {Revision} is now number {Number}")]
    private static partial void LogRenumbered(ILogger logger, string key, string revision, long number);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DaemonSet {Key}: revision name {Revision} is taken by another template; raising the collision count")]
    private static partial void LogCollision(ILogger logger, string key, string revision);
}
