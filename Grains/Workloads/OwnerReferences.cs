using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>Controller references (ownerReferences with controller=true), as controllers claim, find and release dependents.</summary>
public static class OwnerReferences
{
    /// <summary>The reference a controller puts on what it creates or adopts: controller=true, blockOwnerDeletion=true.</summary>
    public static OwnerReference ControllerOf(IResource owner) => new()
    {
        ApiVersion = owner.ApiVersion,
        Kind = owner.Kind,
        Name = owner.Metadata.Name ?? "",
        Uid = owner.Metadata.Uid ?? "",
        Controller = true,
        BlockOwnerDeletion = true,
    };

    public static OwnerReference? ControllerRef(ObjectMeta meta) => meta.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    public static bool IsControlledBy(ObjectMeta meta, string? ownerUid) => ownerUid is not null && ControllerRef(meta)?.Uid == ownerUid;

    /// <summary>The metadata with the owner's controller reference added (adoption).</summary>
    public static ObjectMeta Adopt(ObjectMeta meta, IResource owner) =>
        meta with { OwnerReferences = (meta.OwnerReferences ?? []).Add(ControllerOf(owner)) };

    /// <summary>The metadata without any reference to <paramref name="ownerUid"/> (release, orphaning).</summary>
    public static ObjectMeta Release(ObjectMeta meta, string ownerUid)
    {
        var remaining = (meta.OwnerReferences ?? []).RemoveAll(r => r.Uid == ownerUid);
        return meta with { OwnerReferences = remaining.IsEmpty ? null : remaining };
    }
}
