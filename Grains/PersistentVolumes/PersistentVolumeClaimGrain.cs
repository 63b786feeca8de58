using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Granary.Selectors;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.PersistentVolumes;

/// <summary>
/// Owns one PersistentVolumeClaim (key "namespace/name"): the default class at creation, provisioning and binding on
/// the node the scheduler chose for its first pod, growth where the class allows it, and the release of its volume
/// when it goes.
/// </summary>
public sealed partial class PersistentVolumeClaimGrain(
    IObjectStore store, WatchCache cache, EventBroadcaster events, TimeProvider time, ILogger<PersistentVolumeClaimGrain> logger)
    : ResourceGrain<PersistentVolumeClaim>(store, time, logger), IPersistentVolumeClaimGrain
{
    /// <summary>The component on the binder's events, as kube's.</summary>
    public const string BinderComponent = "persistentvolume-controller";

    private readonly IEventRecorder _binderEvents = events.NewRecorder(new EventSource { Component = BinderComponent });
    private readonly IEventRecorder _provisionerEvents = events.NewRecorder(new EventSource { Component = LocalPathProvisioner.Component });

    protected override ImmutableList<FieldError> Validate(PersistentVolumeClaim resource) => PersistentVolumeClaimValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(PersistentVolumeClaim old, PersistentVolumeClaim updated) =>
        PersistentVolumeClaimValidation.ValidateUpdate(old, updated);

    protected override PersistentVolumeClaim ApplyDefaults(PersistentVolumeClaim resource) =>
        resource.Spec.VolumeMode is null ? resource with { Spec = resource.Spec with { VolumeMode = VolumeModes.Filesystem } } : resource;

    protected override PersistentVolumeClaim PrepareCreate(PersistentVolumeClaim resource) =>
        resource with { Status = new PersistentVolumeClaimStatus { Phase = VolumePhases.Pending } };

    /// <summary>A claim that names no class gets the default one, as kube's DefaultStorageClass admission does.</summary>
    protected override async Task<PersistentVolumeClaim> AdmitAsync(PersistentVolumeClaim resource)
    {
        if (resource.Spec.StorageClassName is not null)
            return resource;
        var classes = await cache.ConsistentAsync(ResourceKinds.StorageClass);
        var chosen = DefaultStorageClass.Choose(classes.Snapshot(ObjectFilter.Everything).Items.Select(i => (StorageClass)i.Value));
        return chosen is null ? resource : resource with { Spec = resource.Spec with { StorageClassName = chosen.Metadata.Name } };
    }

    /// <summary>
    /// What the binder and the admission filled stays unless the writer sets it: a manifest applied again after binding
    /// names neither the volume nor the default class, and must not read as a change of the immutable spec.
    /// </summary>
    protected override PersistentVolumeClaim WithSpec(PersistentVolumeClaim existing, PersistentVolumeClaim desired) => existing with
    {
        Spec = desired.Spec with
        {
            VolumeName = string.IsNullOrEmpty(desired.Spec.VolumeName) ? existing.Spec.VolumeName : desired.Spec.VolumeName,
            StorageClassName = desired.Spec.StorageClassName ?? existing.Spec.StorageClassName,
        },
    };

    protected override PersistentVolumeClaim WithStatus(PersistentVolumeClaim existing, PersistentVolumeClaim desired) =>
        existing with { Status = desired.Status };

    /// <summary>
    /// Kube's PersistentVolumeClaimResize admission: only a claim its class provisioned, of a class that allows
    /// expansion, may ask for more storage.
    /// </summary>
    protected override async Task<PersistentVolumeClaim> ReserveAsync(PersistentVolumeClaim? existing, PersistentVolumeClaim resource)
    {
        if (existing is null || !Grows(existing, resource))
            return resource;
        var storageClass = await FindClassAsync(resource.Spec.StorageClassName);
        if (storageClass?.AllowVolumeExpansion != true || string.IsNullOrEmpty(existing.Spec.VolumeName))
            throw new ForbiddenException(
                $"persistentvolumeclaims \"{Name}\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize");
        return resource;
    }

    protected override async Task AfterWriteAsync(PersistentVolumeClaim? before, PersistentVolumeClaim? after)
    {
        if (before is null && after is not null)
            await RecordWaitingAsync(after);
        if (before is not null && after is not null && Grows(before, after) && !string.IsNullOrEmpty(after.Spec.VolumeName))
            await ExpandAsync(after);
        if (after is null && before is { Spec.VolumeName: { Length: > 0 } volume })
            await ReleaseAsync(before, volume);
    }

    public async Task<PersistentVolumeClaim> ProvisionAsync(string nodeName, string expectedUid)
    {
        var claim = Current ?? throw new NotFoundException(Kind.Plural, Name);
        if (claim.Metadata.Uid != expectedUid)
            throw new ConflictException(Kind.Plural, Name, $"the claim was replaced (uid {claim.Metadata.Uid}, expected {expectedUid})");
        if (claim.Metadata.DeletionTimestamp is not null)
            throw new ConflictException(Kind.Plural, Name, $"persistentvolumeclaim \"{Name}\" is being deleted");
        if (!string.IsNullOrEmpty(claim.Spec.VolumeName))
        {
            await RequireOnNodeAsync(claim.Spec.VolumeName, nodeName);
            return claim;
        }

        var className = claim.Spec.StorageClassName;
        var storageClass = await FindClassAsync(className);
        if (LocalPathProvisioner.CannotProvision(claim, storageClass, className) is { } reason)
        {
            _provisionerEvents.Record(claim, Event.Warning, "ProvisioningFailed", reason);
            throw new ForbiddenException(reason);
        }
        var node = await GrainFactory.GetGrain<INodeGrain>(nodeName).GetAsync();
        var root = node.Metadata.Annotations?.GetValueOrDefault(LocalPath.RootAnnotation) is { Length: > 0 } r ? r : LocalPath.DefaultRoot;
        _provisionerEvents.Record(claim, Event.Normal, "Provisioning", $"External provisioner is provisioning volume for claim \"{Key}\"");

        var desired = LocalPathProvisioner.VolumeFor(claim, storageClass!, nodeName, root);
        var volumeGrain = GrainFactory.GetGrain<IPersistentVolumeGrain>(desired.Metadata.Name!);
        PersistentVolume volume;
        try
        {
            volume = await volumeGrain.CreateAsync(desired);
        }
        catch (AlreadyExistsException)
        {
            // An earlier attempt made it and failed before binding: finish that binding, wherever its node is.
            volume = await volumeGrain.GetAsync();
            if (volume.Spec.ClaimRef?.Uid != claim.Metadata.Uid)
                throw new ConflictException(Kind.Plural, Name, $"persistentvolume \"{volume.Metadata.Name}\" is bound to another claim");
        }
        var volumeNode = NodeSelectorMatch.PinnedNode(volume.Spec.NodeAffinity) ?? nodeName;
        var bound = await WriteUpdateAsync(claim, LocalPathProvisioner.Bind(claim, volume, volumeNode)) ?? claim;
        _provisionerEvents.Record(bound, Event.Normal, "ProvisioningSucceeded", $"Successfully provisioned volume {volume.Metadata.Name}");
        LogProvisioned(Logger, Key, volume.Metadata.Name!, volumeNode);
        if (volumeNode != nodeName)
            throw new ConflictException(Kind.Plural, Name, $"persistentvolumeclaim \"{Name}\" is bound to a volume on node {volumeNode}");
        return bound;
    }

    private async Task RequireOnNodeAsync(string volumeName, string nodeName)
    {
        PersistentVolume volume;
        try
        {
            volume = await GrainFactory.GetGrain<IPersistentVolumeGrain>(volumeName).GetAsync();
        }
        catch (NotFoundException)
        {
            throw new ConflictException(Kind.Plural, Name, $"persistentvolumeclaim \"{Name}\" is bound to persistentvolume \"{volumeName}\", which does not exist");
        }
        if (volume.Spec.NodeAffinity?.Required is { } required)
        {
            var node = await GrainFactory.GetGrain<INodeGrain>(nodeName).GetAsync();
            if (!NodeSelectorMatch.Matches(required, nodeName, node.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty))
                throw new ConflictException(Kind.Plural, Name, $"persistentvolume \"{volumeName}\" of claim \"{Name}\" cannot be reached from node {nodeName} (volume node affinity conflict)");
        }
    }

    private async Task RecordWaitingAsync(PersistentVolumeClaim claim)
    {
        if (!string.IsNullOrEmpty(claim.Spec.VolumeName))
            return;
        var storageClass = await FindClassAsync(claim.Spec.StorageClassName);
        if (storageClass?.VolumeBindingMode == VolumeBindingModes.WaitForFirstConsumer)
            _binderEvents.Record(claim, Event.Normal, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
        else if (LocalPathProvisioner.CannotProvision(claim, storageClass, claim.Spec.StorageClassName) is { } reason)
            _binderEvents.Record(claim, Event.Warning, "ProvisioningFailed", reason);
    }

    /// <summary>
    /// A bound claim that asks for more: the volume grows and the claim's capacity follows. A local-path volume is a
    /// directory without a size of its own, so nothing on the node needs resizing.
    /// </summary>
    private async Task ExpandAsync(PersistentVolumeClaim claim)
    {
        var size = claim.Spec.Resources!.Requests!["storage"];
        var volumeGrain = GrainFactory.GetGrain<IPersistentVolumeGrain>(claim.Spec.VolumeName!);
        var volume = await volumeGrain.GetAsync();
        await volumeGrain.UpdateAsync(volume with { Spec = volume.Spec with { Capacity = volume.Spec.Capacity!.SetItem("storage", size) } });
        var current = Current!;
        await WriteUpdateAsync(current, current with
        {
            Status = current.Status! with { Capacity = (current.Status.Capacity ?? ImmutableSortedDictionary<string, Quantity>.Empty).SetItem("storage", size) },
        });
        LogExpanded(Logger, Key, size.Text);
    }

    private async Task ReleaseAsync(PersistentVolumeClaim claim, string volumeName)
    {
        try
        {
            await GrainFactory.GetGrain<IPersistentVolumeGrain>(volumeName).ReleaseAsync(claim.Metadata.Uid!);
        }
        catch (GranaryException e)
        {
            LogReleaseFailed(Logger, Key, volumeName, e.Message);
        }
    }

    private async Task<StorageClass?> FindClassAsync(string? className)
    {
        if (string.IsNullOrEmpty(className))
            return null;
        try
        {
            return await GrainFactory.GetGrain<IStorageClassGrain>(className).GetAsync();
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    private static bool Grows(PersistentVolumeClaim before, PersistentVolumeClaim after) =>
        StorageValidation.StorageOf(before.Spec.Resources?.Requests) is { } old
        && StorageValidation.StorageOf(after.Spec.Resources?.Requests) is { } updated
        && updated.Amount > old.Amount;

    [LoggerMessage(Level = LogLevel.Information, Message = "Claim {Claim} bound to new volume {Volume} on node {Node}")]
    private static partial void LogProvisioned(ILogger logger, string claim, string volume, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claim {Claim} expanded to {Size}")]
    private static partial void LogExpanded(ILogger logger, string claim, string size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claim {Claim} is gone but its volume {Volume} could not be released: {Reason}")]
    private static partial void LogReleaseFailed(ILogger logger, string claim, string volume, string reason);
}
