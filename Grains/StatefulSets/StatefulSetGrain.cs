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

namespace Granary.Grains.StatefulSets;

/// <summary>
/// Owns one StatefulSet (key "namespace/name") and is its controller (kube's StatefulSetController): it keeps the
/// set's template revisions as ControllerRevisions (<see cref="ControllerHistory"/>), claims its pods (its own, plus
/// orphans named after it that its selector matches), reads its claims, and applies what
/// <see cref="StatefulSetPlanner"/> decides, in order, stopping at the first failure. Pods, claims and revisions are
/// read from the silo's watch cache (a consistent read, by owner and label index); each pod tells this grain when it
/// changes (<see cref="PodControllers"/>).
/// </summary>
public sealed partial class StatefulSetGrain(IObjectStore store, TimeProvider time, ILogger<StatefulSetGrain> logger, WatchCache cache,
    EventBroadcaster events)
    : ControllerGrain<StatefulSet>(store, time, logger), IStatefulSetGrain
{
    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = "statefulset-controller" });

    protected override ImmutableList<FieldError> Validate(StatefulSet resource) => StatefulSetValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(StatefulSet old, StatefulSet updated) => StatefulSetValidation.ValidateUpdate(old, updated);

    protected override StatefulSet ApplyDefaults(StatefulSet resource) => StatefulSetDefaults.Apply(resource);

    // Status is the controller's: a create starts from an empty one, as in Kubernetes.
    protected override StatefulSet PrepareCreate(StatefulSet resource) => resource with { Status = new StatefulSetStatus() };

    protected override StatefulSet WithSpec(StatefulSet existing, StatefulSet desired) => existing with { Spec = desired.Spec };

    protected override StatefulSet WithStatus(StatefulSet existing, StatefulSet desired) => existing with { Status = desired.Status };

    protected override bool OwnsDependents => true;

    public Task PodChangedAsync() => ReconcileSoonAsync();

    protected override async Task<DateTimeOffset?> ReconcileAsync()
    {
        if (Current is not { Metadata.DeletionTimestamp: null } set)
            return null;
        var now = Time.GetUtcNow();
        if (await SyncHistoryAsync(set) is not { } history)
            return now + NotificationDelay;
        // kube's isMemberOf: only orphans named "<set>-<ordinal>" are adopted.
        var pods = await PodClaims.ClaimAsync(GrainFactory, cache, set, set.Spec.Selector!.ToSelector(),
            pod => StatefulSetIdentity.Ordinal(set.Metadata.Name!, pod.Metadata.Name) is not null, Logger);
        var claims = await ClaimsAsync(set, pods);
        var sync = StatefulSetPlanner.Plan(set, history.Current, history.Update, set.Status?.CollisionCount, pods, claims, now);

        foreach (var action in sync.Actions)
            await ApplyAsync(set, action);
        await TruncateHistoryAsync(set, history, pods);

        if (Current is { } latest)
            await WriteUpdateAsync(latest, latest with { Status = sync.Status with { CollisionCount = latest.Status?.CollisionCount } });

        if (sync.Actions.Count > 0)
            return now + UnconvergedResync;
        return sync.Settled ? sync.RecheckAt : sync.RecheckAt ?? now + UnconvergedResync;
    }

    private sealed record History(StatefulSetRevision Current, StatefulSetRevision Update, IReadOnlyList<ControllerRevision> Old);

    /// <summary>
    /// The set's revisions (kube's getStatefulSetRevisions): the one holding its template, created or renumbered as the
    /// newest (a rollback), and the current one (status.currentRevision; the update revision when there is none). A
    /// revision name taken by a different template is a hash collision: collisionCount goes up and the pass is redone.
    /// Null when the pass must be redone.
    /// </summary>
    private async Task<History?> SyncHistoryAsync(StatefulSet set)
    {
        var template = set.Spec.Template!;
        var revisions = (await cache.ConsistentAsync(ResourceKinds.ControllerRevision)).OwnedBy(set.Metadata.Uid!)
            .Cast<ControllerRevision>()
            .Where(r => r.Metadata.Namespace == NamespaceName && OwnerReferences.IsControlledBy(r.Metadata, set.Metadata.Uid))
            .ToList();
        var sync = ControllerHistory.Sync(set, template, set.Status?.CollisionCount, revisions);
        var update = sync.Current;
        var grain = GrainFactory.GetGrain<IControllerRevisionGrain>($"{NamespaceName}/{update.Metadata.Name}");
        if (sync.Create)
        {
            try
            {
                update = await grain.CreateAsync(update);
            }
            catch (AlreadyExistsException)
            {
                var taken = await grain.GetAsync();
                if (!ControllerHistory.Matches(taken, template) || !OwnerReferences.IsControlledBy(taken.Metadata, set.Metadata.Uid))
                {
                    var collisions = (set.Status?.CollisionCount ?? 0) + 1;
                    LogCollision(Logger, Key, update.Metadata.Name!, collisions);
                    await WriteUpdateAsync(set, set with { Status = (set.Status ?? new StatefulSetStatus()) with { CollisionCount = collisions } });
                    return null;
                }
                update = taken;
            }
        }
        else if (sync.Renumber)
        {
            update = await grain.UpdateAsync(update);
        }
        foreach (var duplicate in sync.Duplicates)
            await DeleteRevisionAsync(duplicate);

        var currentName = set.Status?.CurrentRevision;
        var current = revisions.FirstOrDefault(r => r.Metadata.Name == currentName && r.Metadata.Name != update.Metadata.Name) is { } stored
            && ControllerHistory.TemplateOf(stored) is { } currentTemplate
                ? new StatefulSetRevision(stored.Metadata.Name!, currentTemplate)
                : new StatefulSetRevision(update.Metadata.Name!, template);
        return new History(current, new StatefulSetRevision(update.Metadata.Name!, template), sync.Old);
    }

    /// <summary>Old revisions beyond revisionHistoryLimit go, oldest first; those a pod still runs, and the current one, stay.</summary>
    private async Task TruncateHistoryAsync(StatefulSet set, History history, IReadOnlyList<Pod> pods)
    {
        var live = pods.Select(StatefulSetPlanner.Revision).OfType<string>().Append(history.Current.Name).Append(history.Update.Name)
            .ToHashSet(StringComparer.Ordinal);
        var limit = set.Spec.RevisionHistoryLimit ?? StatefulSetDefaults.DefaultRevisionHistoryLimit;
        foreach (var revision in ControllerHistory.ToDelete(history.Old, r => live.Contains(r.Metadata.Name!), limit))
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

    /// <summary>The claims the set's templates name for every ordinal it has or wants, read by key.</summary>
    private async Task<Dictionary<string, PersistentVolumeClaim>> ClaimsAsync(StatefulSet set, IReadOnlyList<Pod> pods)
    {
        var found = new Dictionary<string, PersistentVolumeClaim>(StringComparer.Ordinal);
        if (set.Spec.VolumeClaimTemplates is not { Count: > 0 } templates)
            return found;
        var claims = await cache.ConsistentAsync(ResourceKinds.PersistentVolumeClaim);
        var start = StatefulSetIdentity.StartOrdinal(set);
        var ordinals = Enumerable.Range(start, set.Spec.Replicas ?? 1)
            .Concat(pods.Select(p => StatefulSetIdentity.Ordinal(set.Metadata.Name!, p.Metadata.Name)).OfType<int>());
        foreach (var ordinal in ordinals.Distinct())
        {
            foreach (var template in templates)
            {
                var name = StatefulSetIdentity.ClaimName(template.Metadata.Name!, set.Metadata.Name!, ordinal);
                if (claims.Get($"{NamespaceName}/{name}") is PersistentVolumeClaim claim)
                    found[name] = claim;
            }
        }
        return found;
    }

    private async Task ApplyAsync(StatefulSet set, StatefulSetAction action)
    {
        switch (action)
        {
            case CreateClaim create:
                await CreateClaimAsync(set, create);
                break;
            case SetClaimOwners owners:
                await SetClaimOwnersAsync(owners);
                break;
            case CreatePod create:
                await CreatePodAsync(set, create.Pod);
                break;
            case DeletePod delete:
                await DeletePodAsync(set, delete);
                break;
        }
    }

    private async Task CreateClaimAsync(StatefulSet set, CreateClaim create)
    {
        var name = create.Claim.Metadata.Name!;
        try
        {
            await GrainFactory.GetGrain<IPersistentVolumeClaimGrain>($"{NamespaceName}/{name}").CreateAsync(create.Claim);
            _events.Record(set, Event.Normal, "SuccessfulCreate", $"create Claim {name} Pod {create.PodName} in StatefulSet {set.Metadata.Name} success");
        }
        catch (AlreadyExistsException)
        {
            // Made meanwhile (by a user or an earlier pass whose write the cache had not shown): it is the ordinal's claim.
        }
        catch (GranaryException e)
        {
            _events.Record(set, Event.Warning, "FailedCreate",
                $"create Claim {name} for Pod {create.PodName} in StatefulSet {set.Metadata.Name} failed error: {e.Message}");
            throw;
        }
    }

    /// <summary>Sets a claim's owners at the version read; a conflict or a claim gone is left to the next pass.</summary>
    private async Task SetClaimOwnersAsync(SetClaimOwners change)
    {
        var claim = change.Claim;
        try
        {
            await GrainFactory.GetGrain<IPersistentVolumeClaimGrain>($"{NamespaceName}/{claim.Metadata.Name}")
                .UpdateAsync(claim with { Metadata = claim.Metadata with { OwnerReferences = change.Owners } });
            LogClaimOwners(Logger, Key, claim.Metadata.Name!, change.Owners?.Count ?? 0);
        }
        catch (GranaryException e) when (e is ConflictException or NotFoundException)
        {
            // Someone wrote it meanwhile: the next pass looks again.
        }
    }

    private async Task CreatePodAsync(StatefulSet set, Pod pod)
    {
        var name = pod.Metadata.Name!;
        try
        {
            await GrainFactory.GetGrain<IPodGrain>($"{NamespaceName}/{name}").CreateAsync(pod);
            _events.Record(set, Event.Normal, "SuccessfulCreate", $"create Pod {name} in StatefulSet {set.Metadata.Name} successful");
            LogCreated(Logger, Key, name);
        }
        catch (GranaryException e)
        {
            _events.Record(set, Event.Warning, "FailedCreate", $"create Pod {name} in StatefulSet {set.Metadata.Name} failed error: {e.Message}");
            throw;
        }
    }

    private async Task DeletePodAsync(StatefulSet set, DeletePod delete)
    {
        var name = delete.Pod.Metadata.Name!;
        try
        {
            await GrainFactory.GetGrain<IPodGrain>($"{NamespaceName}/{name}").DeleteAsync(new DeleteOptions { PreconditionUid = delete.Pod.Metadata.Uid });
            _events.Record(set, Event.Normal, "SuccessfulDelete", $"delete Pod {name} in StatefulSet {set.Metadata.Name} successful");
            LogDeleted(Logger, Key, name, delete.Why);
        }
        catch (GranaryException e) when (e is NotFoundException or ConflictException)
        {
            // Gone or replaced already: what we wanted.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "StatefulSet {Key} created pod {Pod}")]
    private static partial void LogCreated(ILogger logger, string key, string pod);

    [LoggerMessage(Level = LogLevel.Information, Message = "StatefulSet {Key} deleted pod {Pod} ({Why})")]
    private static partial void LogDeleted(ILogger logger, string key, string pod, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "StatefulSet {Key}: claim {Claim} now has {Count} owner(s) for its retention policy")]
    private static partial void LogClaimOwners(ILogger logger, string key, string claim, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "StatefulSet {Key}: revision name {Revision} is taken by another template; collisionCount is now {Count}")]
    private static partial void LogCollision(ILogger logger, string key, string revision, int count);
}
