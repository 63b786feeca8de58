using Granary.Model;

namespace Granary.Grains.PersistentVolumes;

/// <summary>
/// Which pods keep a claim from going (kube's pvc-protection controller): pods on a node that have not finished and
/// name the claim among their volumes. A pod not yet scheduled does not count: the scheduler refuses a claim being
/// deleted, so it never starts with it.
/// </summary>
public static class ClaimUsers
{
    public static IEnumerable<Pod> Of(IEnumerable<Pod> pods, string @namespace, string claimName) =>
        pods.Where(p => p.Metadata.Namespace == @namespace
            && !string.IsNullOrEmpty(p.Spec.NodeName)
            && p.Status?.Phase is not ("Succeeded" or "Failed")
            && PodReferences.Of(p.Spec).PersistentVolumeClaims.Contains(claimName));
}
