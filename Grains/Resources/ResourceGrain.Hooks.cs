using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Resources;

/// <summary>What kind-specific grains supply: validation, defaults, admission, reservations, the spec/status split, and when a delete must wait.</summary>
public abstract partial class ResourceGrain<T>
{
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
}
