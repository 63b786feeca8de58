using System.Globalization;
using Granary.Api;
using Granary.Errors;

namespace Granary.Grains.Resources;

/// <summary>Deletion: preconditions, finalizers (the garbage collector's for Foreground and Orphan), graceful deletion, and removal from the store.</summary>
public abstract partial class ResourceGrain<T>
{
    public virtual async Task<T> DeleteAsync(DeleteOptions options)
    {
        try
        {
            return await DeleteCurrentAsync(options);
        }
        catch (ConflictException) when (options.PreconditionUid is null && options.PreconditionResourceVersion is null)
        {
            // Our copy was stale (another activation wrote during a failover, or Redis failed over): a delete without
            // preconditions is not the caller's conflict, so, as kube-apiserver's GuaranteedUpdate, try again on the truth.
            await ReloadAsync();
            return await DeleteCurrentAsync(options);
        }
    }

    private async Task<T> DeleteCurrentAsync(DeleteOptions options)
    {
        var existing = Current ?? throw new NotFoundException(Kind.Plural, Name);
        CheckPreconditions(existing, options);

        if (OwnsDependents && existing.Metadata.DeletionTimestamp is null && PropagationFinalizer(options) is { } finalizer
            && !(existing.Metadata.Finalizers ?? []).Contains(finalizer))
        {
            // The garbage collector finishes the delete: dependents first (Foreground) or freed (Orphan).
            var withFinalizer = (T)existing.WithMetadata(existing.Metadata with { Finalizers = (existing.Metadata.Finalizers ?? []).Add(finalizer) });
            var marked = (T)withFinalizer.WithMetadata(MarkDeleting(withFinalizer, options));
            var written = await WriteUpdateAsync(existing, marked) ?? existing;
            await GrainFactory.GetGrain<IGarbageCollectorGrain>(0).WakeAsync();
            return written;
        }
        if (existing.Metadata.Finalizers is { Count: > 0 } || await NeedsGracefulDeletionAsync(existing, options))
        {
            if (existing.Metadata.DeletionTimestamp is not null)
                return existing;
            var marked = (T)existing.WithMetadata(MarkDeleting(existing, options));
            return await WriteUpdateAsync(existing, marked) ?? existing;
        }
        return await RemoveAsync(existing);
    }

    /// <summary>A delete's preconditions against the object as it is: Conflict, in kube-apiserver's words, when one fails.</summary>
    protected void CheckPreconditions(T existing, DeleteOptions options)
    {
        if (options.PreconditionUid is { } uid && uid != existing.Metadata.Uid)
            throw new ConflictException(Kind.Plural, Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {existing.Metadata.Uid}");
        if (options.PreconditionResourceVersion is { } rv && rv != existing.Metadata.ResourceVersion)
            throw new ConflictException(Kind.Plural, Name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {existing.Metadata.ResourceVersion}");
    }

    private static string? PropagationFinalizer(DeleteOptions options) => options.PropagationPolicy switch
    {
        PropagationPolicies.Foreground => PropagationPolicies.ForegroundFinalizer,
        PropagationPolicies.Orphan => PropagationPolicies.OrphanFinalizer,
        _ => null,
    };

    protected async Task<T> RemoveAsync(T existing)
    {
        var final = (T)existing.WithMetadata(existing.Metadata with { DeletionTimestamp = existing.Metadata.DeletionTimestamp ?? Now() });
        var rv = await WriteGuardedAsync(() => store.DeleteAsync(Kind, Key, Encode(final), CurrentRevision));
        Current = null;
        CurrentRevision = 0;
        LogDeleted(logger, Kind.Singular, Key, rv);
        await AfterWriteAsync(existing, null);
        DeactivateOnIdle();
        return (T)final.WithMetadata(final.Metadata with { ResourceVersion = rv.ToString(CultureInfo.InvariantCulture) });
    }
}
