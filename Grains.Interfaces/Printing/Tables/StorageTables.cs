using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE (+ VOLUMEMODE), as kube's printPersistentVolumeClaim.</summary>
internal sealed class PersistentVolumeClaimTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Status", "phase represents the current phase of PersistentVolumeClaim."),
        new("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
        new("Capacity", "capacity represents the actual resources of the underlying volume."),
        new("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has."),
        new("StorageClass", "StorageClass of the pvc"),
        new("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
        AgeColumn,
        new("VolumeMode", "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var claim = (PersistentVolumeClaim)resource;
        var bound = !string.IsNullOrEmpty(claim.Spec.VolumeName);
        return
        [
            claim.Metadata.Name ?? "",
            claim.Metadata.DeletionTimestamp is not null ? "Terminating" : claim.Status?.Phase ?? "",
            claim.Spec.VolumeName ?? "",
            bound ? StorageColumns.Storage(claim.Status?.Capacity) : "",
            bound ? AccessModes.Short(claim.Status?.AccessModes) : "",
            StorageColumns.ClassOf(claim.Metadata, claim.Spec.StorageClassName),
            StorageColumns.UnsetIfEmpty(claim.Spec.VolumeAttributesClassName),
            Age(claim, now),
            StorageColumns.UnsetIfEmpty(claim.Spec.VolumeMode),
        ];
    }
}

/// <summary>
/// NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE (+ VOLUMEMODE),
/// as kube's printPersistentVolume.
/// </summary>
internal sealed class PersistentVolumeTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Capacity", "capacity is the description of the persistent volume's resources and capacity."),
        new("Access Modes", "accessModes contains all ways the volume can be mounted."),
        new("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
        new("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
        new("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
        new("StorageClass", "StorageClass of the pv"),
        new("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
        new("Reason", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
        AgeColumn,
        new("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", Priority: 1),
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var volume = (PersistentVolume)resource;
        var claim = volume.Spec.ClaimRef is { } c ? $"{c.Namespace}/{c.Name}" : "";
        return
        [
            volume.Metadata.Name ?? "",
            StorageColumns.Storage(volume.Spec.Capacity),
            AccessModes.Short(volume.Spec.AccessModes),
            volume.Spec.PersistentVolumeReclaimPolicy ?? "",
            volume.Metadata.DeletionTimestamp is not null ? "Terminating" : volume.Status?.Phase ?? "",
            claim,
            StorageColumns.ClassOf(volume.Metadata, volume.Spec.StorageClassName),
            StorageColumns.UnsetIfEmpty(volume.Spec.VolumeAttributesClassName),
            volume.Status?.Reason ?? "",
            Age(volume, now),
            StorageColumns.UnsetIfEmpty(volume.Spec.VolumeMode),
        ];
    }
}

/// <summary>NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE, as kube's printStorageClass.</summary>
internal sealed class StorageClassTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Provisioner", "Indicates the type of the provisioner."),
        new("ReclaimPolicy", "Indicates the type of the reclaim policy."),
        new("VolumeBindingMode", "Indicates when volume binding and dynamic provisioning should occur."),
        new("AllowVolumeExpansion", "Indicates whether the storage class allow volume expand."),
        AgeColumn,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var sc = (StorageClass)resource;
        return
        [
            sc.IsDefault ? $"{sc.Metadata.Name} (default)" : sc.Metadata.Name ?? "",
            sc.Provisioner,
            sc.ReclaimPolicy ?? ReclaimPolicies.Delete,
            sc.VolumeBindingMode ?? VolumeBindingModes.Immediate,
            sc.AllowVolumeExpansion == true ? "true" : "false",
            Age(sc, now),
        ];
    }
}

/// <summary>Cells the storage tables share, worded as kube's printers.</summary>
internal static class StorageColumns
{
    /// <summary>The beta annotation that named a class before storageClassName existed; kube still prefers it.</summary>
    private const string BetaClassAnnotation = "volume.beta.kubernetes.io/storage-class";

    /// <summary>The storage amount as written, "0" when there is none (a zero Quantity prints so).</summary>
    public static string Storage(ImmutableSortedDictionary<string, Quantity>? resources) =>
        resources?.GetValueOrDefault("storage").Text is { Length: > 0 } text ? text : "0";

    public static string ClassOf(ObjectMeta meta, string? className) =>
        meta.Annotations?.GetValueOrDefault(BetaClassAnnotation) ?? className ?? "";

    public static string UnsetIfEmpty(string? value) => string.IsNullOrEmpty(value) ? "<unset>" : value;
}
