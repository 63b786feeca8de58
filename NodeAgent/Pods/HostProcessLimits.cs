using Granary.Model;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// What a driver that runs containers as host processes (the <c>process</c> driver) cannot honour: it shares the
/// host's file system, users, capabilities and namespaces, so a pod asking for volumes, a securityContext, host
/// namespaces or registry credentials is refused with this reason rather than run differently. The one exception is the
/// ServiceAccount token volume admission gives every pod (kube-api-access-*): it is left out, so pods run as before,
/// and their processes simply have no /var/run/secrets/kubernetes.io/serviceaccount. Pure.
/// </summary>
public static class HostProcessLimits
{
    /// <summary>Why the pod cannot run as host processes, or null when it can.</summary>
    public static string? Refusal(Pod pod, string driver)
    {
        var spec = pod.Spec;
        var asked = new List<string>();
        var apiAccess = LeftOutVolumes(pod);
        if (spec.Volumes?.Any(v => !apiAccess.Contains(v.Name)) == true)
            asked.Add("volumes");
        if (PodReferences.AllContainers(spec).Any(c => c.VolumeMounts?.Any(m => !apiAccess.Contains(m.Name)) == true))
            asked.Add("volumeMounts");
        if (spec.SecurityContext is { } podSc && (podSc.RunAsUser is not null || podSc.RunAsGroup is not null || podSc.RunAsNonRoot == true
            || podSc.FsGroup is not null || podSc.SupplementalGroups is { Count: > 0 }))
            asked.Add("spec.securityContext");
        if (PodReferences.AllContainers(spec).Any(c => c.SecurityContext is { } sc && (sc.RunAsUser is not null || sc.RunAsGroup is not null
            || sc.RunAsNonRoot == true || sc.ReadOnlyRootFilesystem == true || sc.Privileged == true || sc.AllowPrivilegeEscalation == false
            || sc.Capabilities is { Add.Count: > 0 } or { Drop.Count: > 0 })))
            asked.Add("a container's securityContext");
        if (spec.HostPID == true)
            asked.Add("hostPID");
        if (spec.HostIPC == true)
            asked.Add("hostIPC");
        if (spec.ImagePullSecrets is { Count: > 0 })
            asked.Add("imagePullSecrets");
        return asked.Count == 0
            ? null
            : $"the {driver} driver runs containers as host processes and cannot honour {string.Join(", ", asked)}: run this pod on a node with the docker driver";
    }

    /// <summary>The volumes a host-process driver runs the pod without (their mounts are dropped): the ServiceAccount token volume.</summary>
    public static IReadOnlySet<string> LeftOutVolumes(Pod pod) =>
        (pod.Spec.Volumes ?? []).Where(IsApiAccess).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The projected volume kube's ServiceAccount admission adds (kube-api-access-XXXXX with a token source).</summary>
    private static bool IsApiAccess(Volume volume) =>
        volume.Name.StartsWith("kube-api-access-", StringComparison.Ordinal) && volume.Projected?.Sources?.Any(s => s.ServiceAccountToken is not null) == true;
}
