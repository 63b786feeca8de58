using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Hosting;

/// <summary>
/// The default StorageClass <c>local-path</c>, as k3s ships it: provisioner rancher.io/local-path, reclaimPolicy
/// Delete, WaitForFirstConsumer. Created once; safe on every silo at once. An operator's later changes (e.g. taking
/// away the default mark) are kept: an existing class is never rewritten.
/// </summary>
public static class LocalPathStorageClass
{
    public static StorageClass Desired { get; } = new()
    {
        Metadata = new ObjectMeta
        {
            Name = LocalPath.ClassName,
            Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(StorageClass.IsDefaultClassAnnotation, "true"),
        },
        Provisioner = LocalPath.Provisioner,
        ReclaimPolicy = ReclaimPolicies.Delete,
        VolumeBindingMode = VolumeBindingModes.WaitForFirstConsumer,
    };

    public static async Task EnsureAsync(IGrainFactory grains)
    {
        try
        {
            await grains.GetGrain<IStorageClassGrain>(LocalPath.ClassName).CreateAsync(Desired);
        }
        catch (AlreadyExistsException)
        {
            // Created before (or by another silo just now).
        }
    }
}
