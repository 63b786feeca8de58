using Granary.Model;

namespace Granary.Api;

/// <summary>
/// Owns one PersistentVolumeClaim: its default class at creation, its binding to a volume, and its protection while
/// pods use it (the <c>kubernetes.io/pvc-protection</c> finalizer). Deleting a bound claim releases its volume.
/// </summary>
[Alias("granary.IPersistentVolumeClaimGrain")]
public interface IPersistentVolumeClaimGrain : IResourceGrain<PersistentVolumeClaim>
{
    /// <summary>
    /// Binds the claim to a volume reachable from <paramref name="nodeName"/>, provisioning one there when its class's
    /// provisioner is local-path (the scheduler's call, before it binds a pod using the claim). Idempotent: a claim
    /// already bound to a volume on that node is returned as it is. Throws Conflict when the claim is bound to a
    /// volume on another node, is being deleted, or no longer has <paramref name="expectedUid"/>; NotFound when it is
    /// gone; Forbidden when its class cannot provision (missing class, another provisioner, no class).
    /// </summary>
    [Alias("Provision")]
    Task<PersistentVolumeClaim> ProvisionAsync(string nodeName, string expectedUid);
}

/// <summary>
/// Owns one PersistentVolume: its phase (Available, Bound, Released), its reclaim when its claim goes, and its
/// protection while bound (the <c>kubernetes.io/pv-protection</c> finalizer).
/// </summary>
[Alias("granary.IPersistentVolumeGrain")]
public interface IPersistentVolumeGrain : IResourceGrain<PersistentVolume>
{
    /// <summary>
    /// The claim with <paramref name="claimUid"/> is gone: a volume with reclaimPolicy Delete is deleted, one with
    /// Retain becomes Released. Idempotent; does nothing when the volume names another claim or is gone.
    /// </summary>
    [Alias("Release")]
    Task ReleaseAsync(string claimUid);
}

/// <summary>Owns one StorageClass. Its parameters, provisioner, reclaim policy and binding mode are fixed once created.</summary>
[Alias("granary.IStorageClassGrain")]
public interface IStorageClassGrain : IResourceGrain<StorageClass>;
