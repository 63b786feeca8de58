using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.StatefulSets;

/// <summary>
/// Who owns a StatefulSet's claim, as its persistentVolumeClaimRetentionPolicy says (kube's
/// updateClaimOwnerRefForSetAndPod): whenDeleted Delete makes the set an owner, so the garbage collector deletes the
/// claim with the set; whenScaled Delete makes the pod an owner once its ordinal is out of range, so the claim goes
/// with the scaled-down pod. Retain removes those references. Other owners are left alone.
/// </summary>
public static class StatefulSetClaims
{
    public static ImmutableList<OwnerReference>? Owners(ImmutableList<OwnerReference>? existing, StatefulSet set, Pod? pod, int ordinal)
    {
        var policy = set.Spec.PersistentVolumeClaimRetentionPolicy;
        var deleteWithSet = policy?.WhenDeleted == StatefulSetPersistentVolumeClaimRetentionPolicy.Delete;
        var deleteWhenScaled = policy?.WhenScaled == StatefulSetPersistentVolumeClaimRetentionPolicy.Delete;
        var scaledDown = !StatefulSetIdentity.InRange(set, ordinal);

        var refs = existing ?? [];
        refs = deleteWithSet && !(deleteWhenScaled && scaledDown) ? Set(refs, Reference(set)) : Remove(refs, set.Metadata.Uid);
        if (pod?.Metadata.Uid is { } podUid)
            refs = deleteWhenScaled && scaledDown ? Set(refs, Reference(pod)) : Remove(refs, podUid);
        return refs.IsEmpty ? null : refs;
    }

    /// <summary>Whether two owner lists name the same owners (by uid), whatever their order.</summary>
    public static bool SameOwners(ImmutableList<OwnerReference>? a, ImmutableList<OwnerReference>? b) =>
        (a ?? []).Select(r => r.Uid).Order(StringComparer.Ordinal).SequenceEqual((b ?? []).Select(r => r.Uid).Order(StringComparer.Ordinal));

    /// <summary>
    /// A claim left by an earlier pod of the ordinal that the garbage collector is about to delete with it (it names a
    /// pod as owner): the new pod must wait for it to go, or it would bind to storage that is being removed.
    /// </summary>
    public static bool IsStale(PersistentVolumeClaim claim) =>
        claim.Metadata.DeletionTimestamp is not null || claim.Metadata.OwnerReferences?.Any(r => r.Kind == "Pod") == true;

    private static OwnerReference Reference(IResource owner) => new()
    {
        ApiVersion = owner.ApiVersion,
        Kind = owner.Kind,
        Name = owner.Metadata.Name ?? "",
        Uid = owner.Metadata.Uid ?? "",
    };

    private static ImmutableList<OwnerReference> Set(ImmutableList<OwnerReference> refs, OwnerReference owner) =>
        refs.Any(r => r.Uid == owner.Uid) ? refs : refs.Add(owner);

    private static ImmutableList<OwnerReference> Remove(ImmutableList<OwnerReference> refs, string? uid) =>
        uid is null ? refs : refs.RemoveAll(r => r.Uid == uid);
}
