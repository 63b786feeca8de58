using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// The grain that owns one object (key: "namespace/name", or "name" for cluster-scoped kinds).
/// It validates every write, assigns uid, resourceVersion and generation, and stores the object
/// together with its watch event in one atomic step. Every method may throw a
/// <see cref="Errors.GranaryException"/> (NotFound, AlreadyExists, Conflict, Invalid, Forbidden).
/// </summary>
[Alias("granary.IResourceGrain`1")]
public interface IResourceGrain<T> : IResourceDryRun where T : class, IResource<T>
{
    /// <summary>Creates the object. Not idempotent: a second create fails with AlreadyExists.</summary>
    [Alias("Create")]
    Task<T> CreateAsync(T resource);

    /// <summary>The current object. Throws NotFound when it does not exist.</summary>
    [Alias("Get"), ReadOnly]
    Task<T> GetAsync();

    /// <summary>
    /// Replaces labels, annotations, finalizers, owner references and spec. Status and system metadata are kept.
    /// When <c>metadata.resourceVersion</c> is set it must be current, else Conflict. Idempotent for equal input.
    /// </summary>
    [Alias("Update")]
    Task<T> UpdateAsync(T resource);

    /// <summary>Replaces status only (controllers and agents). The same resourceVersion rule as update.</summary>
    [Alias("UpdateStatus")]
    Task<T> UpdateStatusAsync(T resource);

    /// <summary>Create-or-update from a manifest; reports whether anything changed. Idempotent.</summary>
    [Alias("Apply")]
    Task<ApplyResult<T>> ApplyAsync(T resource);

    /// <summary>
    /// Deletes the object. An object with finalizers (or a pod that an agent must stop) is only marked with
    /// deletionTimestamp and goes when its finalizers are done. Throws NotFound when it does not exist.
    /// </summary>
    [Alias("Delete")]
    Task<T> DeleteAsync(DeleteOptions options);
}

/// <summary>
/// Dry runs of create and update (the API's <c>dryRun=All</c>): the object exactly as the write would store it
/// (defaulted, validated, failing with the same errors) while nothing is stored and no event is sent. Not generic,
/// so the HTTP edge can call it for any kind. Idempotent.
/// </summary>
[Alias("granary.IResourceDryRun")]
public interface IResourceDryRun : IGrainWithStringKey
{
    [Alias("DryRunCreate"), ReadOnly]
    Task<IResource> DryRunCreateAsync(IResource resource);

    /// <summary>As update (or update of the status when <paramref name="status"/> is set), same resourceVersion rule.</summary>
    [Alias("DryRunUpdate"), ReadOnly]
    Task<IResource> DryRunUpdateAsync(IResource resource, bool status);
}

[GenerateSerializer, Immutable, Alias("granary.ApplyResult`1")]
public sealed record ApplyResult<T>([property: Id(0)] T Object, [property: Id(1)] ApplyOutcome Outcome) where T : class, IResource;

public enum ApplyOutcome { Created, Configured, Unchanged }

[GenerateSerializer, Immutable, Alias("granary.DeleteOptions")]
public sealed record DeleteOptions
{
    public static readonly DeleteOptions Default = new();

    /// <summary>Overrides the pod's terminationGracePeriodSeconds; 0 deletes at once.</summary>
    [Id(0)] public long? GracePeriodSeconds { get; init; }

    /// <summary>When set, the delete fails with Conflict unless the object still has this uid.</summary>
    [Id(1)] public string? PreconditionUid { get; init; }

    /// <summary>When set, the delete fails with Conflict unless the object is still at this version.</summary>
    [Id(2)] public string? PreconditionResourceVersion { get; init; }

    /// <summary>
    /// What happens to the object's dependents (objects naming it in ownerReferences): Background (the default) deletes
    /// the object at once and its dependents after; Foreground deletes the dependents first; Orphan keeps them and
    /// removes their references to it. See <see cref="PropagationPolicies"/>.
    /// </summary>
    [Id(3)] public string? PropagationPolicy { get; init; }
}

/// <summary>The values of <see cref="DeleteOptions.PropagationPolicy"/>, and the finalizers that carry them.</summary>
public static class PropagationPolicies
{
    public const string Background = "Background";
    public const string Foreground = "Foreground";
    public const string Orphan = "Orphan";

    public static readonly System.Collections.Immutable.ImmutableArray<string> All = [Foreground, Background, Orphan];

    /// <summary>The finalizer kube-apiserver puts on an owner deleted in the foreground: it goes once its dependents have.</summary>
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>The finalizer of an owner deleted with Orphan: it goes once no dependent names the owner any more.</summary>
    public const string OrphanFinalizer = "orphan";
}
