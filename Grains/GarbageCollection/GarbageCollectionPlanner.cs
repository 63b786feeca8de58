using System.Collections.Immutable;
using Granary.Api;
using Granary.Model;

namespace Granary.Grains.GarbageCollection;

/// <summary>What a sweep does to one object.</summary>
public enum CollectionAction
{
    /// <summary>Every owner it names is gone: delete it (in the background).</summary>
    Delete,

    /// <summary>Its owner is being deleted in the foreground: delete it first (in the foreground too).</summary>
    DeleteForeground,

    /// <summary>Its owner is being deleted with Orphan: remove the reference, keep the object.</summary>
    Orphan,

    /// <summary>An owner deleted in the foreground or with Orphan has no dependents left: remove its finalizer.</summary>
    FinishOwner,
}

/// <summary>One step of a sweep: the action, the object it concerns and, for Orphan, the owner whose reference goes.</summary>
public sealed record CollectionStep(CollectionAction Action, ResourceKind Kind, IResource Object, string? OwnerUid = null, string? Finalizer = null);

/// <summary>
/// Kubernetes' garbage collector as a pure decision over a snapshot of every object: dependents whose owners are all
/// absent are deleted; owners marked with the foregroundDeletion or orphan finalizer get their dependents deleted or
/// freed, and lose the finalizer once none remain. An owner counts as absent when no object of its kind has its name
/// and uid; the caller confirms absence with the owner's grain before deleting (caches of kinds lag differently).
/// </summary>
public static class GarbageCollectionPlanner
{
    public static ImmutableArray<CollectionStep> Plan(IReadOnlyDictionary<ResourceKind, IReadOnlyList<IResource>> objects)
    {
        var byUid = new Dictionary<string, (ResourceKind Kind, IResource Object)>(StringComparer.Ordinal);
        foreach (var (kind, items) in objects)
            foreach (var item in items)
                if (item.Metadata.Uid is { } uid)
                    byUid[uid] = (kind, item);

        var dependents = new Dictionary<string, List<(ResourceKind Kind, IResource Object)>>(StringComparer.Ordinal);
        var steps = ImmutableArray.CreateBuilder<CollectionStep>();
        foreach (var (kind, items) in objects)
        {
            foreach (var item in items)
            {
                var refs = item.Metadata.OwnerReferences;
                if (refs is not { Count: > 0 })
                    continue;
                var present = 0;
                foreach (var r in refs)
                {
                    if (!byUid.TryGetValue(r.Uid, out var owner) || owner.Object.Kind != r.Kind || owner.Object.Metadata.Name != r.Name)
                        continue;
                    present++;
                    if (!dependents.TryGetValue(r.Uid, out var list))
                        dependents[r.Uid] = list = [];
                    list.Add((kind, item));
                }
                if (present == 0 && item.Metadata.DeletionTimestamp is null && refs.All(r => IsServed(objects, r)))
                    steps.Add(new CollectionStep(CollectionAction.Delete, kind, item));
            }
        }

        foreach (var (kind, items) in objects)
        {
            foreach (var owner in items)
            {
                if (owner.Metadata.DeletionTimestamp is null || owner.Metadata.Finalizers is not { Count: > 0 } finalizers)
                    continue;
                var mine = owner.Metadata.Uid is { } uid ? dependents.GetValueOrDefault(uid) ?? [] : [];
                if (finalizers.Contains(PropagationPolicies.OrphanFinalizer))
                {
                    foreach (var (dependentKind, dependent) in mine)
                        steps.Add(new CollectionStep(CollectionAction.Orphan, dependentKind, dependent, OwnerUid: owner.Metadata.Uid));
                    if (mine.Count == 0)
                        steps.Add(new CollectionStep(CollectionAction.FinishOwner, kind, owner, Finalizer: PropagationPolicies.OrphanFinalizer));
                }
                else if (finalizers.Contains(PropagationPolicies.ForegroundFinalizer))
                {
                    foreach (var (dependentKind, dependent) in mine.Where(d => d.Object.Metadata.DeletionTimestamp is null))
                        steps.Add(new CollectionStep(CollectionAction.DeleteForeground, dependentKind, dependent));
                    if (mine.Count == 0)
                        steps.Add(new CollectionStep(CollectionAction.FinishOwner, kind, owner, Finalizer: PropagationPolicies.ForegroundFinalizer));
                }
            }
        }
        return steps.ToImmutable();
    }

    /// <summary>Only owners of kinds this cluster serves can be known to be gone; others are left alone.</summary>
    private static bool IsServed(IReadOnlyDictionary<ResourceKind, IReadOnlyList<IResource>> objects, OwnerReference r) =>
        objects.Keys.Any(k => k.Kind == r.Kind && k.ApiVersion == r.ApiVersion);
}
