using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.PersistentVolumes;

/// <summary>
/// What k3s's local-path provisioner decides, as pure functions: whether a class and claim can be provisioned, and the
/// volume that binds a claim to a directory on one node. No I/O: the claim grain reads and writes, the agent makes the
/// directory when a pod first mounts it.
/// </summary>
public static class LocalPathProvisioner
{
    /// <summary>The component on the provisioner's events (k3s's reads "rancher.io/local-path_&lt;pod&gt;_&lt;uid&gt;").</summary>
    public const string Component = "rancher.io/local-path_granary";

    /// <summary>The class parameter that chooses a <c>local</c> volume instead of <c>hostPath</c>, as local-path's.</summary>
    public const string VolumeTypeParameter = "volumeType";

    public const string ProvisionedByAnnotation = "pv.kubernetes.io/provisioned-by";
    public const string SelectedNodeAnnotation = "volume.kubernetes.io/selected-node";
    public const string BindCompletedAnnotation = "pv.kubernetes.io/bind-completed";
    public const string BoundByControllerAnnotation = "pv.kubernetes.io/bound-by-controller";
    public const string StorageProvisionerAnnotation = "volume.kubernetes.io/storage-provisioner";
    public const string BetaStorageProvisionerAnnotation = "volume.beta.kubernetes.io/storage-provisioner";

    /// <summary>
    /// Why the claim cannot be provisioned by local-path through <paramref name="storageClass"/>, worded for the user,
    /// or null when it can. A claim without a class, or of a class another provisioner serves, waits for a volume that
    /// nothing here will make, so it is refused rather than left to wait silently.
    /// </summary>
    public static string? CannotProvision(PersistentVolumeClaim claim, StorageClass? storageClass, string? className)
    {
        var name = claim.Metadata.Name;
        if (string.IsNullOrEmpty(className))
            return $"persistentvolumeclaim \"{name}\" has no storageClassName and no volume is bound to it; set spec.storageClassName (the default is {LocalPath.ClassName})";
        if (storageClass is null)
            return $"storageclass.storage.k8s.io \"{className}\" not found";
        if (storageClass.Provisioner != LocalPath.Provisioner)
            return $"storageclass \"{className}\" names provisioner \"{storageClass.Provisioner}\", which is not served here; only {LocalPath.Provisioner} provisions volumes";
        if (claim.Spec.DataSource is not null || claim.Spec.DataSourceRef is not null)
            return $"persistentvolumeclaim \"{name}\" has a dataSource, which {LocalPath.Provisioner} cannot fill; remove spec.dataSource";
        if (claim.Spec.VolumeMode == VolumeModes.Block)
            return $"persistentvolumeclaim \"{name}\" asks for volumeMode Block, which {LocalPath.Provisioner} does not provide; use Filesystem";
        if (claim.Spec.Selector is { IsEmpty: false })
            return $"persistentvolumeclaim \"{name}\" has a selector, which dynamic provisioning cannot honour; remove spec.selector";
        return null;
    }

    /// <summary>Whether the class's allowedTopologies admit the node (no topologies admit every node).</summary>
    public static bool AllowsNode(StorageClass storageClass, IReadOnlyDictionary<string, string> nodeLabels) =>
        storageClass.AllowedTopologies is not { Count: > 0 } terms
        || terms.Any(t => (t.MatchLabelExpressions ?? []).All(e => nodeLabels.TryGetValue(e.Key, out var v) && e.Values.Contains(v)));

    /// <summary>The volume for <paramref name="claim"/> on <paramref name="nodeName"/>, whose root directory is <paramref name="root"/>.</summary>
    public static PersistentVolume VolumeFor(PersistentVolumeClaim claim, StorageClass storageClass, string nodeName, string root)
    {
        var meta = claim.Metadata;
        var name = LocalPath.VolumeName(meta.Uid!);
        var path = $"{root.TrimEnd('/')}/{LocalPath.DirectoryName(name, meta.Namespace!, meta.Name!)}";
        var local = storageClass.Parameters?.GetValueOrDefault(VolumeTypeParameter) is { } type && type.Equals("local", StringComparison.OrdinalIgnoreCase);
        return new PersistentVolume
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                Annotations = ImmutableSortedDictionary<string, string>.Empty
                    .Add(ProvisionedByAnnotation, LocalPath.Provisioner)
                    .Add("local.path.provisioner/selected-node", nodeName),
            },
            Spec = new PersistentVolumeSpec
            {
                Capacity = ImmutableSortedDictionary<string, Quantity>.Empty.Add("storage", claim.Spec.Resources!.Requests!["storage"]),
                AccessModes = claim.Spec.AccessModes,
                PersistentVolumeReclaimPolicy = storageClass.ReclaimPolicy ?? ReclaimPolicies.Delete,
                StorageClassName = storageClass.Metadata.Name,
                VolumeMode = claim.Spec.VolumeMode ?? VolumeModes.Filesystem,
                MountOptions = storageClass.MountOptions,
                ClaimRef = new ObjectReference
                {
                    Kind = "PersistentVolumeClaim", ApiVersion = "v1", Namespace = meta.Namespace, Name = meta.Name, Uid = meta.Uid,
                    ResourceVersion = meta.ResourceVersion,
                },
                NodeAffinity = new VolumeNodeAffinity
                {
                    Required = new NodeSelector
                    {
                        NodeSelectorTerms =
                        [
                            new NodeSelectorTerm
                            {
                                MatchExpressions = [new NodeSelectorRequirement { Key = LocalPath.HostnameLabel, Operator = "In", Values = [nodeName] }],
                            },
                        ],
                    },
                },
                HostPath = local ? null : new HostPathVolumeSource { Path = path, Type = "DirectoryOrCreate" },
                Local = local ? new LocalVolumeSource { Path = path } : null,
            },
        };
    }

    /// <summary>The claim bound to <paramref name="volume"/>: volumeName, the binder's annotations, and status Bound.</summary>
    public static PersistentVolumeClaim Bind(PersistentVolumeClaim claim, PersistentVolume volume, string nodeName)
    {
        var annotations = (claim.Metadata.Annotations ?? ImmutableSortedDictionary<string, string>.Empty)
            .SetItem(BindCompletedAnnotation, "yes")
            .SetItem(BoundByControllerAnnotation, "yes")
            .SetItem(StorageProvisionerAnnotation, LocalPath.Provisioner)
            .SetItem(BetaStorageProvisionerAnnotation, LocalPath.Provisioner)
            .SetItem(SelectedNodeAnnotation, nodeName);
        return claim with
        {
            Metadata = claim.Metadata with { Annotations = annotations },
            Spec = claim.Spec with { VolumeName = volume.Metadata.Name },
            Status = (claim.Status ?? new PersistentVolumeClaimStatus()) with
            {
                Phase = VolumePhases.Bound,
                AccessModes = volume.Spec.AccessModes,
                Capacity = volume.Spec.Capacity,
            },
        };
    }
}
