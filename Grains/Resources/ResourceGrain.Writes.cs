using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Validation;

namespace Granary.Grains.Resources;

/// <summary>The steps every write shares: merging the user's fields, checking the version and the identity, writing guarded against a stale activation.</summary>
public abstract partial class ResourceGrain<T>
{
    /// <summary>Writes <paramref name="updated"/> unless it equals <paramref name="existing"/>; null when nothing changed.</summary>
    protected async Task<T?> WriteUpdateAsync(T existing, T updated)
    {
        updated = (T)updated.WithMetadata(updated.Metadata with { ResourceVersion = existing.Metadata.ResourceVersion });
        var json = Encode(updated);
        if (json == EncodeExisting(existing))
            return null;
        ThrowIfInvalid(ValidateUpdate(existing, updated));

        // A deleting object whose last finalizer is gone is removed, as Kubernetes does.
        if (updated.Metadata.DeletionTimestamp is not null && updated.Metadata.Finalizers is not { Count: > 0 }
            && !await NeedsGracefulDeletionAsync(updated, DeleteOptions.Default) && existing.Metadata.DeletionTimestamp is not null)
            return await RemoveAsync(updated);

        var reserved = await ReserveAsync(existing, updated);
        if (!ReferenceEquals(reserved, updated))
            json = Encode(reserved);
        updated = reserved;
        long rv;
        try
        {
            rv = await WriteGuardedAsync(() => store.UpdateAsync(Kind, Key, json, CurrentRevision));
        }
        catch (Exception)
        {
            await UnreserveAsync(existing, updated);
            throw;
        }
        SetCurrent(updated, rv, json);
        await AfterWriteAsync(existing, Current);
        return Current;
    }

    /// <summary>
    /// A store conflict on our own write means another activation wrote behind our back (e.g. during a failover):
    /// reload, so the next call works on the truth, and report the conflict to the caller.
    /// </summary>
    private async Task<long> WriteGuardedAsync(Func<Task<long>> write)
    {
        try
        {
            return await write();
        }
        catch (GranaryException e) when (e is ConflictException or NotFoundException)
        {
            LogStale(logger, Kind.Singular, Key);
            Current = null;
            CurrentRevision = 0;
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>The user-owned parts of <paramref name="desired"/> on top of <paramref name="existing"/>.</summary>
    private T MergeUserFields(T existing, T desired)
    {
        desired = ApplyDefaults(desired);
        var merged = WithSpec(existing, desired);
        var specChanged = Encode(WithSpec(existing, existing)) != Encode(merged);
        var meta = existing.Metadata with
        {
            Labels = desired.Metadata.Labels,
            Annotations = desired.Metadata.Annotations,
            Finalizers = desired.Metadata.Finalizers,
            OwnerReferences = desired.Metadata.OwnerReferences,
            // Kept unless the writer sends its own (server-side apply does); an empty list clears them, as in Kubernetes.
            ManagedFields = desired.Metadata.ManagedFields ?? existing.Metadata.ManagedFields,
            Generation = specChanged ? (existing.Metadata.Generation ?? 1) + 1 : existing.Metadata.Generation,
        };
        return (T)merged.WithMetadata(meta);
    }

    private T RequireCurrent(string? expectedVersion)
    {
        var existing = Current ?? throw new NotFoundException(Kind.Plural, Name);
        if (!string.IsNullOrEmpty(expectedVersion) && expectedVersion != existing.Metadata.ResourceVersion)
            throw new ConflictException(Kind.Plural, Name, "the object has been modified; please apply your changes to the latest version and try again");
        return existing;
    }

    /// <summary>Checks the object's name and namespace against the grain key, filling them when absent.</summary>
    private T WithIdentity(T resource)
    {
        var meta = resource.Metadata;
        if (!string.IsNullOrEmpty(meta.Name) && meta.Name != Name)
            throw new BadRequestException($"the name of the object ({meta.Name}) does not match the name on the URL ({Name})");
        if (Kind.Namespaced && !string.IsNullOrEmpty(meta.Namespace) && meta.Namespace != NamespaceName)
            throw new BadRequestException($"the namespace of the provided object ({meta.Namespace}) does not match the namespace sent on the request ({NamespaceName})");
        return (T)resource.WithMetadata(meta with { Name = Name, Namespace = NamespaceName });
    }

    protected void ThrowIfInvalid(ImmutableList<FieldError> errors) => ValidationResult.ThrowIfInvalid(Kind, Name, errors);

    protected DateTimeOffset Now()
    {
        // Kubernetes timestamps have whole seconds.
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
