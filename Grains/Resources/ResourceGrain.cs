using System.Collections.Immutable;
using System.Globalization;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Granary.Serialization;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

/// <summary>
/// What every resource grain does the same way: identity from the grain key, system metadata, validation
/// before any write, optimistic concurrency on resourceVersion, create-or-update for apply, deletion with
/// finalizers. Kind-specific grains supply validation, defaults and the spec/status split.
/// The grain is the per-object work queue: calls are serialized, so there are no locks here.
/// </summary>
public abstract partial class ResourceGrain<T>(IObjectStore store, TimeProvider time, ILogger logger) : Grain, IResourceGrain<T>, IIncomingGrainCallFilter
    where T : class, IResource<T>
{
    protected static ResourceKind Kind => T.ResourceKind;

    /// <summary>The object as last stored, with its resourceVersion; null when it does not exist.</summary>
    protected T? Current { get; private set; }

    protected long CurrentRevision { get; private set; }

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    protected string Key => this.GetPrimaryKeyString();

    protected string? NamespaceName => Kind.Namespaced ? Key[..Key.IndexOf('/', StringComparison.Ordinal)] : null;

    protected string Name => Kind.Namespaced ? Key[(Key.IndexOf('/', StringComparison.Ordinal) + 1)..] : Key;

    private int _storeGeneration;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storeGeneration = store.Generation(Kind);
        try
        {
            await ReloadAsync();
        }
        catch (Exception e) when (StoreFaults.Retriable(e) is { } retriable)
        {
            // An activation's failure reaches the caller without passing the grain call filters (StoreFaultFilter).
            throw retriable;
        }
    }

    /// <summary>Reads the object as the store has it now.</summary>
    private async Task ReloadAsync()
    {
        var stored = await store.GetAsync(Kind, Key);
        if (stored is null)
        {
            Current = null;
            CurrentRevision = 0;
        }
        else
        {
            SetCurrent(Decode(stored.Json), stored.Revision);
        }
    }

    /// <summary>
    /// Before every call: when the store lost this kind's data since the object was read (a Redis restarted
    /// without its data), read it again, so the activation never answers with an object that is gone.
    /// </summary>
    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (store.Generation(Kind) is var generation && generation != _storeGeneration)
        {
            _storeGeneration = generation;
            await ReloadAsync();
        }
        await context.Invoke();
    }

    // ---- kind-specific hooks ----

    /// <summary>Every problem with the object, each naming its field.</summary>
    protected abstract ImmutableList<FieldError> Validate(T resource);

    /// <summary>Problems with changing <paramref name="old"/> into <paramref name="updated"/> (immutable fields).</summary>
    protected virtual ImmutableList<FieldError> ValidateUpdate(T old, T updated) => Validate(updated);

    /// <summary>Fills the values Kubernetes defaults (restartPolicy, grace periods, …). Idempotent.</summary>
    protected virtual T ApplyDefaults(T resource) => resource;

    /// <summary>The object as first stored: what a create may set of the status.</summary>
    protected virtual T PrepareCreate(T resource) => resource;

    /// <summary><paramref name="existing"/> with the spec of <paramref name="desired"/>.</summary>
    protected abstract T WithSpec(T existing, T desired);

    /// <summary><paramref name="existing"/> with the status of <paramref name="desired"/>.</summary>
    protected abstract T WithStatus(T existing, T desired);

    /// <summary>
    /// What a create fills once the object has its uid and system metadata (a Job's generated selector names its uid,
    /// as kube's job strategy does). Runs before validation.
    /// </summary>
    protected virtual T CompleteCreate(T resource) => resource;

    /// <summary>
    /// Mutating admission at create, after defaults and before validation: what needs other objects (a claim takes
    /// the default StorageClass, as kube's DefaultStorageClass admission plugin does).
    /// </summary>
    protected virtual Task<T> AdmitAsync(T resource) => Task.FromResult(resource);

    /// <summary>Checks before a create, e.g. that the namespace exists.</summary>
    protected virtual Task BeforeCreateAsync(T resource) =>
        Kind.Namespaced ? GrainFactory.GetGrain<INamespaceGrain>(resource.Metadata.Namespace!).AssertAcceptsContentAsync() : Task.CompletedTask;

    /// <summary>
    /// Claims what the object needs outside itself (a service's cluster IP and node ports) just before it is stored,
    /// after validation; returns the object with what was claimed. <see cref="UnreserveAsync"/> undoes it when the
    /// write fails, so a failed write leaks nothing.
    /// </summary>
    protected virtual Task<T> ReserveAsync(T? existing, T resource) => Task.FromResult(resource);

    /// <summary>Gives back what <see cref="ReserveAsync"/> claimed for <paramref name="attempted"/>, whose write failed.</summary>
    protected virtual Task UnreserveAsync(T? existing, T attempted) => Task.CompletedTask;

    /// <summary>Runs after every successful write (e.g. to wake the scheduler).</summary>
    protected virtual Task AfterWriteAsync(T? before, T? after) => Task.CompletedTask;

    /// <summary>Whether deleting must wait for someone to finish (e.g. an agent stopping containers).</summary>
    protected virtual Task<bool> NeedsGracefulDeletionAsync(T resource, DeleteOptions options) => Task.FromResult(false);

    /// <summary>
    /// Whether objects of this kind own dependents (ReplicaSets own pods): then a delete with propagationPolicy
    /// Foreground or Orphan leaves a finalizer for the garbage collector instead of removing the object at once.
    /// </summary>
    protected virtual bool OwnsDependents => false;

    /// <summary>The deletion mark for a graceful delete (pods add the grace period).</summary>
    protected virtual ObjectMeta MarkDeleting(T resource, DeleteOptions options) =>
        resource.Metadata with { DeletionTimestamp = Now(), DeletionGracePeriodSeconds = 0 };

    // ---- the API ----

    public async Task<T> CreateAsync(T resource)
    {
        resource = await PrepareNewAsync(resource);
        resource = await ReserveAsync(null, resource);
        long rv;
        try
        {
            rv = await store.CreateAsync(Kind, Key, Encode(resource));
        }
        catch (Exception)
        {
            await UnreserveAsync(null, resource);
            throw;
        }
        SetCurrent(resource, rv);
        LogCreated(logger, Kind.Singular, Key, rv);
        await AfterWriteAsync(null, Current);
        return Current!;
    }

    public async Task<IResource> DryRunCreateAsync(IResource resource) => await PrepareNewAsync((T)resource);

    public Task<IResource> DryRunUpdateAsync(IResource resource, bool status)
    {
        var desired = WithIdentity((T)resource);
        var existing = RequireCurrent(desired.Metadata.ResourceVersion);
        var updated = status ? WithStatus(existing, desired) : MergeUserFields(existing, desired);
        updated = (T)updated.WithMetadata(updated.Metadata with { ResourceVersion = existing.Metadata.ResourceVersion });
        if (Encode(updated) != Encode(existing))
            ThrowIfInvalid(ValidateUpdate(existing, updated));
        return Task.FromResult<IResource>(updated);
    }

    /// <summary>The object a create would store: identity, defaults, system metadata, validated, its namespace checked.</summary>
    private async Task<T> PrepareNewAsync(T resource)
    {
        resource = WithIdentity(resource);
        if (Current is not null)
            throw new AlreadyExistsException(Kind.Plural, Name);
        resource = await AdmitAsync(PrepareCreate(ApplyDefaults(resource)));
        resource = (T)resource.WithMetadata(resource.Metadata with
        {
            Uid = Guid.NewGuid().ToString(),
            ResourceVersion = null,
            Generation = 1,
            CreationTimestamp = Now(),
            DeletionTimestamp = null,
            DeletionGracePeriodSeconds = null,
            GenerateName = resource.Metadata.GenerateName,
        });
        resource = CompleteCreate(resource);
        ThrowIfInvalid(Validate(resource));
        await BeforeCreateAsync(resource);
        return resource;
    }

    public Task<T> GetAsync() => Task.FromResult(Current ?? throw new NotFoundException(Kind.Plural, Name));

    public async Task<T> UpdateAsync(T resource)
    {
        resource = WithIdentity(resource);
        var existing = RequireCurrent(resource.Metadata.ResourceVersion);
        var updated = MergeUserFields(existing, resource);
        return await WriteUpdateAsync(existing, updated) ?? existing;
    }

    public async Task<T> UpdateStatusAsync(T resource)
    {
        resource = WithIdentity(resource);
        var existing = RequireCurrent(resource.Metadata.ResourceVersion);
        return await WriteUpdateAsync(existing, WithStatus(existing, resource)) ?? existing;
    }

    public async Task<ApplyResult<T>> ApplyAsync(T resource)
    {
        resource = WithIdentity(resource);
        if (Current is null)
            return new ApplyResult<T>(await CreateAsync(resource), ApplyOutcome.Created);
        var existing = Current;
        var written = await WriteUpdateAsync(existing, MergeUserFields(existing, resource));
        return written is null
            ? new ApplyResult<T>(existing, ApplyOutcome.Unchanged)
            : new ApplyResult<T>(written, ApplyOutcome.Configured);
    }

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

    // ---- shared steps ----

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

    /// <summary>Writes <paramref name="updated"/> unless it equals <paramref name="existing"/>; null when nothing changed.</summary>
    protected async Task<T?> WriteUpdateAsync(T existing, T updated)
    {
        updated = (T)updated.WithMetadata(updated.Metadata with { ResourceVersion = existing.Metadata.ResourceVersion });
        var json = Encode(updated);
        if (json == Encode(existing))
            return null;
        ThrowIfInvalid(ValidateUpdate(existing, updated));

        // A deleting object whose last finalizer is gone is removed, as Kubernetes does.
        if (updated.Metadata.DeletionTimestamp is not null && updated.Metadata.Finalizers is not { Count: > 0 }
            && !await NeedsGracefulDeletionAsync(updated, DeleteOptions.Default) && existing.Metadata.DeletionTimestamp is not null)
            return await RemoveAsync(updated);

        updated = await ReserveAsync(existing, updated);
        json = Encode(updated);
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
        SetCurrent(updated, rv);
        await AfterWriteAsync(existing, Current);
        return Current;
    }

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

    private void SetCurrent(T resource, long revision)
    {
        CurrentRevision = revision;
        Current = (T)resource.WithMetadata(resource.Metadata with { ResourceVersion = revision.ToString(CultureInfo.InvariantCulture) });
    }

    private static string Encode(T resource) =>
        GranaryJson.SerializeResource(resource.WithMetadata(resource.Metadata with { ResourceVersion = null }));

    private static T Decode(string json) => (T)GranaryJson.DeserializeResource(json, Kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Created {Kind} {Key} at revision {Revision}")]
    private static partial void LogCreated(ILogger logger, string kind, string key, long revision);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Kind} {Key} at revision {Revision}")]
    private static partial void LogDeleted(ILogger logger, string kind, string key, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} {Key} was changed behind this activation; reloading")]
    private static partial void LogStale(ILogger logger, string kind, string key);
}
