using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Grains.Workloads;
using Granary.Model;
using Granary.Serialization;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

/// <summary>
/// Owns one Deployment (key "namespace/name") and is its controller. It keeps one ReplicaSet per pod template,
/// named "&lt;deployment&gt;-&lt;pod-template-hash&gt;", sizes them with <see cref="RolloutPlanner"/> (a rolling update
/// or Recreate), deletes idle old ones beyond revisionHistoryLimit, and writes its status and conditions from them.
/// ReplicaSets are read from the silo's watch cache (a consistent read); each tells this grain when it changes.
/// </summary>
public sealed partial class DeploymentGrain(IObjectStore store, TimeProvider time, ILogger<DeploymentGrain> logger, WatchCache cache,
    EventBroadcaster events)
    : ControllerGrain<Deployment>(store, time, logger), IDeploymentGrain
{
    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = "deployment-controller" });

    protected override ImmutableList<FieldError> Validate(Deployment resource) => DeploymentValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(Deployment old, Deployment updated) => DeploymentValidation.ValidateUpdate(old, updated);

    protected override Deployment ApplyDefaults(Deployment resource) => WorkloadDefaults.Apply(resource);

    protected override Deployment PrepareCreate(Deployment resource) => resource with { Status = new DeploymentStatus() };

    protected override Deployment WithSpec(Deployment existing, Deployment desired) => existing with { Spec = desired.Spec };

    protected override Deployment WithStatus(Deployment existing, Deployment desired) => existing with { Status = desired.Status };

    protected override bool OwnsDependents => true;

    public Task ReplicaSetChangedAsync() => ReconcileSoonAsync();

    protected override async Task<DateTimeOffset?> ReconcileAsync()
    {
        if (Current is not { Metadata.DeletionTimestamp: null } d)
            return null;
        var now = Time.GetUtcNow();
        var owned = await ClaimReplicaSetsAsync(d);
        var live = owned.Where(rs => rs.Metadata.DeletionTimestamp is null).ToList();
        var template = d.Spec.Template!;
        var newSet = live.OrderBy(rs => rs.Metadata.CreationTimestamp).FirstOrDefault(rs => SameTemplate(rs.Spec.Template, template));
        var oldSets = live.Where(rs => !ReferenceEquals(rs, newSet)).ToList();
        var status = d.Status ?? new DeploymentStatus();
        var goal = new RolloutGoal(d.Spec.Replicas ?? 1, d.Spec.Strategy?.Type ?? DeploymentStrategy.RollingUpdateType,
            RolloutLimits.For(d.Spec), d.Spec.Paused == true);
        var maxOldRevision = oldSets.Select(RevisionHistory.Revision).DefaultIfEmpty(0).Max();

        if (newSet is null && !goal.Paused)
        {
            var name = $"{d.Metadata.Name}-{PodTemplateHash.Compute(template, status.CollisionCount)}";
            var replicas = RolloutPlanner.Plan(goal, new ReplicaSetReplicas(name, 0, 0, 0, now), [.. oldSets.Select(Replicas)]).NewReplicas;
            (newSet, status) = await CreateNewReplicaSetAsync(d, name, replicas, maxOldRevision + 1, status, now);
            if (newSet is null)
            {
                await WriteStatusAsync(d, status);
                return now;
            }
        }
        else if (newSet is not null)
        {
            if (RevisionHistory.Revision(newSet) <= maxOldRevision)
                newSet = await UpdateReplicaSetAsync(newSet, newSet.Spec.Replicas ?? 0, d, maxOldRevision + 1);
            if (DeploymentConditions.Find(status, DeploymentConditions.Progressing) is null && d.Spec.ProgressDeadlineSeconds is not null)
                status = DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, true,
                    DeploymentConditions.FoundNewReplicaSet, $"Found new replica set \"{newSet.Metadata.Name}\"", now));
        }

        if (newSet is not null)
        {
            var plan = RolloutPlanner.Plan(goal, Replicas(newSet), [.. oldSets.Select(Replicas)]);
            if (plan.NewReplicas != newSet.Spec.Replicas || newSet.Spec.MinReadySeconds != d.Spec.MinReadySeconds)
                newSet = await ScaleAsync(d, newSet, plan.NewReplicas);
            for (var i = 0; i < oldSets.Count; i++)
            {
                if (plan.OldReplicas.TryGetValue(oldSets[i].Metadata.Name!, out var target))
                    oldSets[i] = await ScaleAsync(d, oldSets[i], target);
            }
        }

        var all = newSet is null ? oldSets : [newSet, .. oldSets];
        var updated = d with { Status = DeploymentStatusPlanner.Calculate(d with { Status = status }, newSet, all, now) };
        var complete = DeploymentStatusPlanner.IsComplete(d, updated.Status!);
        if (complete && !goal.Paused)
            await DeleteOldRevisionsAsync(oldSets, d.Spec.RevisionHistoryLimit ?? RevisionHistory.DefaultLimit);
        if (newSet is not null)
            updated = updated with { Metadata = WithAnnotation(updated.Metadata, RevisionHistory.RevisionAnnotation, RevisionHistory.Format(RevisionHistory.Revision(newSet))) };
        await WriteUpdateAsync(d, updated);
        return complete ? null : now + UnconvergedResync;
    }

    /// <summary>The ReplicaSets this Deployment controls, adopting orphans its selector matches (Kubernetes' ClaimReplicaSets).</summary>
    private async Task<List<ReplicaSet>> ClaimReplicaSetsAsync(Deployment d)
    {
        var selector = d.Spec.Selector!.ToSelector();
        var (_, items) = (await cache.ConsistentAsync(ResourceKinds.ReplicaSet)).Snapshot(ObjectFilter.Parse(NamespaceName, null, null));
        var owned = new List<ReplicaSet>();
        foreach (var rs in items.Select(i => (ReplicaSet)i.Value))
        {
            var controller = OwnerReferences.ControllerRef(rs.Metadata);
            if (controller?.Uid == d.Metadata.Uid)
            {
                owned.Add(rs);
            }
            else if (controller is null && rs.Metadata.DeletionTimestamp is null && selector.Matches(rs.Metadata.Labels))
            {
                try
                {
                    owned.Add(await Grain(rs).UpdateAsync(rs with { Metadata = OwnerReferences.Adopt(rs.Metadata, d) }));
                }
                catch (GranaryException e) when (e is ConflictException or NotFoundException)
                {
                    // Changed meanwhile: the next pass decides again.
                }
            }
        }
        return owned;
    }

    private async Task<(ReplicaSet?, DeploymentStatus)> CreateNewReplicaSetAsync(
        Deployment d, string name, int replicas, long revision, DeploymentStatus status, DateTimeOffset now)
    {
        var hash = name[(d.Metadata.Name!.Length + 1)..];
        var template = d.Spec.Template!;
        var labels = (template.Metadata?.Labels ?? ImmutableSortedDictionary<string, string>.Empty).SetItem(PodTemplateHash.Label, hash);
        var rs = new ReplicaSet
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = NamespaceName,
                Labels = labels,
                Annotations = ReplicaAnnotations(null, d, revision),
                OwnerReferences = [OwnerReferences.ControllerOf(d)],
            },
            Spec = new ReplicaSetSpec
            {
                Replicas = replicas,
                MinReadySeconds = d.Spec.MinReadySeconds,
                Selector = d.Spec.Selector! with { MatchLabels = (d.Spec.Selector.MatchLabels ?? ImmutableSortedDictionary<string, string>.Empty).SetItem(PodTemplateHash.Label, hash) },
                Template = template with { Metadata = (template.Metadata ?? new ObjectMeta()) with { Labels = labels } },
            },
        };
        try
        {
            var created = await GrainFactory.GetGrain<IReplicaSetGrain>($"{NamespaceName}/{name}").CreateAsync(rs);
            LogNewReplicaSet(Logger, Key, name, replicas);
            _events.Record(d, Event.Normal, "ScalingReplicaSet", $"Scaled up replica set {name} to {replicas}");
            return (created, DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, true,
                DeploymentConditions.NewReplicaSetCreated, $"Created new replica set \"{name}\"", now)));
        }
        catch (AlreadyExistsException)
        {
            // A ReplicaSet of this name with another template: hash again with the next collision count, as Kubernetes does.
            var existing = await GrainFactory.GetGrain<IReplicaSetGrain>($"{NamespaceName}/{name}").GetAsync();
            if (OwnerReferences.IsControlledBy(existing.Metadata, d.Metadata.Uid) && SameTemplate(existing.Spec.Template, template))
                return (existing, status);
            LogHashCollision(Logger, Key, name);
            return (null, status with { CollisionCount = (status.CollisionCount ?? 0) + 1 });
        }
    }

    private async Task<ReplicaSet> ScaleAsync(Deployment d, ReplicaSet rs, int replicas)
    {
        var scaled = await UpdateReplicaSetAsync(rs, replicas, d, RevisionHistory.Revision(rs));
        if (rs.Spec.Replicas is var from && from != replicas)
        {
            LogScaled(Logger, Key, rs.Metadata.Name!, from ?? 0, replicas);
            _events.Record(d, Event.Normal, "ScalingReplicaSet",
                $"Scaled {(replicas > (from ?? 0) ? "up" : "down")} replica set {rs.Metadata.Name} to {replicas} from {from ?? 0}");
        }
        return scaled;
    }

    /// <summary>
    /// Sets a ReplicaSet's replicas, minReadySeconds and annotations. Written without a resourceVersion: only this
    /// controller (or a user) writes its spec, while its own controller writes its status all the time.
    /// </summary>
    private Task<ReplicaSet> UpdateReplicaSetAsync(ReplicaSet rs, int replicas, Deployment d, long revision) =>
        Grain(rs).UpdateAsync(rs with
        {
            Metadata = rs.Metadata with { ResourceVersion = null, Annotations = ReplicaAnnotations(rs.Metadata.Annotations, d, revision) },
            Spec = rs.Spec with { Replicas = replicas, MinReadySeconds = d.Spec.MinReadySeconds },
        });

    private async Task DeleteOldRevisionsAsync(IEnumerable<ReplicaSet> oldSets, int limit)
    {
        foreach (var rs in RevisionHistory.ToDelete(oldSets, limit))
        {
            try
            {
                await Grain(rs).DeleteAsync(new DeleteOptions { PreconditionUid = rs.Metadata.Uid });
                LogOldRevisionDeleted(Logger, Key, rs.Metadata.Name!);
            }
            catch (GranaryException e) when (e is NotFoundException or ConflictException)
            {
                // Gone or replaced already.
            }
        }
    }

    private Task WriteStatusAsync(Deployment d, DeploymentStatus status) => WriteUpdateAsync(d, d with { Status = status });

    private IReplicaSetGrain Grain(ReplicaSet rs) => GrainFactory.GetGrain<IReplicaSetGrain>($"{NamespaceName}/{rs.Metadata.Name}");

    /// <summary>
    /// A ReplicaSet as the planner sees it. Available pods are counted up to spec.replicas only: a ReplicaSet just
    /// scaled down still reports the pods it is deleting, and counting them would let a rollout take too many down.
    /// </summary>
    private static ReplicaSetReplicas Replicas(ReplicaSet rs) => new(
        rs.Metadata.Name!, rs.Spec.Replicas ?? 0, Math.Min(rs.Status?.AvailableReplicas ?? 0, rs.Spec.Replicas ?? 0), rs.Status?.Replicas ?? 0,
        rs.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue);

    /// <summary>Whether a ReplicaSet runs the Deployment's template (its own hash label aside).</summary>
    private static bool SameTemplate(PodTemplateSpec? a, PodTemplateSpec b) =>
        a is not null && GranaryJson.Serialize(PodTemplateHash.WithoutHashLabel(a)) == GranaryJson.Serialize(PodTemplateHash.WithoutHashLabel(b));

    private static ImmutableSortedDictionary<string, string> ReplicaAnnotations(ImmutableSortedDictionary<string, string>? existing, Deployment d, long revision)
    {
        var replicas = d.Spec.Replicas ?? 1;
        return (existing ?? ImmutableSortedDictionary<string, string>.Empty)
            .SetItem(RevisionHistory.RevisionAnnotation, RevisionHistory.Format(revision))
            .SetItem(RevisionHistory.DesiredReplicasAnnotation, RevisionHistory.Format(replicas))
            .SetItem(RevisionHistory.MaxReplicasAnnotation, RevisionHistory.Format(replicas + RolloutLimits.For(d.Spec).MaxSurge));
    }

    private static ObjectMeta WithAnnotation(ObjectMeta meta, string key, string value) =>
        meta with { Annotations = (meta.Annotations ?? ImmutableSortedDictionary<string, string>.Empty).SetItem(key, value) };

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Key} created ReplicaSet {ReplicaSet} with {Replicas} replica(s)")]
    private static partial void LogNewReplicaSet(ILogger logger, string key, string replicaSet, int replicas);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Key} scaled ReplicaSet {ReplicaSet} from {From} to {To}")]
    private static partial void LogScaled(ILogger logger, string key, string replicaSet, int from, int to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Key} deleted old ReplicaSet {ReplicaSet} (revision history limit)")]
    private static partial void LogOldRevisionDeleted(ILogger logger, string key, string replicaSet);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Key}: ReplicaSet {ReplicaSet} exists with another template; hashing again")]
    private static partial void LogHashCollision(ILogger logger, string key, string replicaSet);
}
