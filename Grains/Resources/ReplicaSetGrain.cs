using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Grains.Workloads;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

/// <summary>
/// Owns one ReplicaSet (key "namespace/name") and is its controller: keeps spec.replicas active pods that it controls,
/// adopting orphans its selector matches and releasing pods it no longer matches, and writes its status from them.
/// Pods are read from the silo's watch cache (a consistent read, so its own creations are always seen).
/// </summary>
public sealed partial class ReplicaSetGrain(IObjectStore store, TimeProvider time, ILogger<ReplicaSetGrain> logger, WatchCache cache,
    EventBroadcaster events)
    : ControllerGrain<ReplicaSet>(store, time, logger), IReplicaSetGrain
{
    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = "replicaset-controller" });

    private PodControl? _podControl;

    private PodControl Pods => _podControl ??= new PodControl(GrainFactory, _events);

    protected override ImmutableList<FieldError> Validate(ReplicaSet resource) => ReplicaSetValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(ReplicaSet old, ReplicaSet updated) => ReplicaSetValidation.ValidateUpdate(old, updated);

    protected override ReplicaSet ApplyDefaults(ReplicaSet resource) => WorkloadDefaults.Apply(resource);

    // Status is the controller's: a create starts from an empty one, as in Kubernetes.
    protected override ReplicaSet PrepareCreate(ReplicaSet resource) => resource with { Status = new ReplicaSetStatus() };

    protected override ReplicaSet WithSpec(ReplicaSet existing, ReplicaSet desired) => existing with { Spec = desired.Spec };

    protected override ReplicaSet WithStatus(ReplicaSet existing, ReplicaSet desired) => existing with { Status = desired.Status };

    protected override bool OwnsDependents => true;

    protected override async Task AfterWriteAsync(ReplicaSet? before, ReplicaSet? after)
    {
        await base.AfterWriteAsync(before, after);
        // The owning Deployment counts this ReplicaSet's replicas: every change concerns it.
        if (OwnerReferences.ControllerRef((after ?? before)!.Metadata) is { Kind: "Deployment" } owner)
            await GrainFactory.GetGrain<IDeploymentGrain>($"{NamespaceName}/{owner.Name}").ReplicaSetChangedAsync();
    }

    public Task PodChangedAsync() => ReconcileSoonAsync();

    protected override async Task<DateTimeOffset?> ReconcileAsync()
    {
        if (Current is not { Metadata.DeletionTimestamp: null } rs)
            return null;
        var now = Time.GetUtcNow();
        var owned = await PodClaims.ClaimAsync(GrainFactory, cache, rs, rs.Spec.Selector!.ToSelector(), _ => true, Logger);
        var active = owned.Where(PodReadiness.IsActive).ToList();
        var sync = ReplicaSetPlanner.Plan(rs, active, now);

        if (sync.ToCreate > 0)
            await CreatePodsAsync(rs, sync.ToCreate);
        if (sync.ToDelete.Count > 0)
            await DeletePodsAsync(rs, sync.ToDelete);

        if (Current is { } latest)
            await WriteUpdateAsync(latest, latest with { Status = sync.Status });

        if (!sync.Converged)
            return sync.ToCreate > 0 || sync.ToDelete.Count > 0 ? now + UnconvergedResync : sync.RecheckAt;
        // Pods that are not available yet will say so when they change; the resync covers a lost word.
        return active.Any(p => !PodReadiness.IsAvailable(p, rs.Spec.MinReadySeconds ?? 0, now)) ? now + UnconvergedResync : null;
    }

    /// <summary>Creates pods in batches of 1, 2, 4, … (Kubernetes' slow start), stopping at the first batch with a failure.</summary>
    private async Task CreatePodsAsync(ReplicaSet rs, int count)
    {
        var created = await PodControl.SlowStartAsync(Enumerable.Range(0, count).ToList(), _ => CreatePodAsync(rs));
        if (created < count)
            throw new InvalidOperationException($"could not create {count - created} of {count} pods for replicaset {Key}; see the errors above");
        LogCreated(Logger, Key, count);
    }

    private async Task<bool> CreatePodAsync(ReplicaSet rs)
    {
        if (await Pods.CreateAsync(rs, name => ReplicaSetPlanner.NewPod(rs, name)) is not { } error)
            return true;
        LogCreateFailed(Logger, Key, error);
        return false;
    }

    private async Task DeletePodsAsync(ReplicaSet rs, IReadOnlyList<Pod> pods)
    {
        await Task.WhenAll(pods.Select(pod => Pods.DeleteAsync(rs, pod)));
        LogDeleted(Logger, Key, pods.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ReplicaSet {Key} created {Count} pod(s)")]
    private static partial void LogCreated(ILogger logger, string key, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "ReplicaSet {Key} deleted {Count} surplus pod(s)")]
    private static partial void LogDeleted(ILogger logger, string key, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ReplicaSet {Key} could not create a pod: {Reason}")]
    private static partial void LogCreateFailed(ILogger logger, string key, string reason);
}
