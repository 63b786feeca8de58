using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.PersistentVolumes;

/// <summary>
/// Owns one PersistentVolume (key: its name): its phase, its reclaim when its claim goes, and the pv-protection
/// finalizer, which it drops once the volume is deleted and no longer Bound (kube's pv-protection controller). The
/// directory behind a deleted volume is removed by its node's agent, which looks for directories without a volume.
/// </summary>
public sealed partial class PersistentVolumeGrain(IObjectStore store, TimeProvider time, ILogger<PersistentVolumeGrain> logger)
    : ResourceGrain<PersistentVolume>(store, time, logger), IPersistentVolumeGrain
{
    protected override ImmutableList<FieldError> Validate(PersistentVolume resource) => PersistentVolumeValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(PersistentVolume old, PersistentVolume updated) =>
        PersistentVolumeValidation.ValidateUpdate(old, updated);

    protected override PersistentVolume ApplyDefaults(PersistentVolume resource) => resource with
    {
        Spec = resource.Spec with
        {
            PersistentVolumeReclaimPolicy = resource.Spec.PersistentVolumeReclaimPolicy ?? ReclaimPolicies.Retain,
            VolumeMode = resource.Spec.VolumeMode ?? VolumeModes.Filesystem,
        },
    };

    /// <summary>
    /// As kube's storage-object-in-use admission: every volume is protected. A volume made for a claim (claimRef with
    /// a uid, as the provisioner writes it) starts Bound; any other is Available.
    /// </summary>
    protected override PersistentVolume PrepareCreate(PersistentVolume resource) => resource with
    {
        Metadata = resource.Metadata with { Finalizers = WithProtection(resource.Metadata.Finalizers) },
        Status = new PersistentVolumeStatus
        {
            Phase = string.IsNullOrEmpty(resource.Spec.ClaimRef?.Uid) ? VolumePhases.Available : VolumePhases.Bound,
            LastPhaseTransitionTime = Now(),
        },
    };

    protected override PersistentVolume WithSpec(PersistentVolume existing, PersistentVolume desired) => existing with { Spec = desired.Spec };

    protected override PersistentVolume WithStatus(PersistentVolume existing, PersistentVolume desired) => existing with { Status = desired.Status };

    protected override async Task AfterWriteAsync(PersistentVolume? before, PersistentVolume? after)
    {
        // pv-protection: a deleted volume that is no longer bound loses its finalizer and goes.
        if (after is { Metadata.DeletionTimestamp: not null } && after.Status?.Phase != VolumePhases.Bound
            && after.Metadata.Finalizers?.Contains(StorageFinalizers.VolumeProtection) == true)
        {
            await WriteUpdateAsync(after, after with { Metadata = after.Metadata with { Finalizers = after.Metadata.Finalizers.Remove(StorageFinalizers.VolumeProtection) } });
        }
    }

    public async Task ReleaseAsync(string claimUid)
    {
        if (Current is not { } volume || volume.Spec.ClaimRef?.Uid != claimUid)
            return;
        if (volume.Status?.Phase != VolumePhases.Released)
        {
            volume = await WriteUpdateAsync(volume, volume with
            {
                Status = new PersistentVolumeStatus { Phase = VolumePhases.Released, LastPhaseTransitionTime = Now() },
            }) ?? volume;
            LogReleased(Logger, Name, volume.Spec.PersistentVolumeReclaimPolicy ?? "");
        }
        if (Current is not null && volume.Spec.PersistentVolumeReclaimPolicy == ReclaimPolicies.Delete && volume.Metadata.DeletionTimestamp is null)
            await DeleteAsync(DeleteOptions.Default);
    }

    private static ImmutableList<string> WithProtection(ImmutableList<string>? finalizers) =>
        finalizers?.Contains(StorageFinalizers.VolumeProtection) == true ? finalizers : (finalizers ?? []).Add(StorageFinalizers.VolumeProtection);

    [LoggerMessage(Level = LogLevel.Information, Message = "Volume {Volume} released by its claim; reclaim policy {Policy}")]
    private static partial void LogReleased(ILogger logger, string volume, string policy);
}
