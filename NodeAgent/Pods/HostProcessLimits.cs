using Granary.Model;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// What a driver that runs containers as host processes (the <c>process</c> driver) cannot honour: it shares the
/// host's file system, users, capabilities and namespaces, so a pod asking for volumes, a securityContext, host
/// namespaces or registry credentials is refused with this reason rather than run differently. Pure.
/// </summary>
public static class HostProcessLimits
{
    /// <summary>Why the pod cannot run as host processes, or null when it can.</summary>
    public static string? Refusal(Pod pod, string driver)
    {
        var spec = pod.Spec;
        var asked = new List<string>();
        if (spec.Volumes is { Count: > 0 })
            asked.Add("volumes");
        if (PodReferences.AllContainers(spec).Any(c => c.VolumeMounts is { Count: > 0 }))
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
}
