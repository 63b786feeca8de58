using System.Globalization;
using Granary.Model;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// A container's effective securityContext (the container's fields over the pod's, as kube's
/// DetermineEffectiveSecurityContext) as engine-neutral <see cref="ContainerSecurity"/>, with the kubelet's checks:
/// runAsNonRoot against runAsUser or the image's user, and privileged only where the node allows it. Pure; a refusal
/// is a <see cref="ContainerConfigException"/> with the kubelet's words.
/// </summary>
public static class SecurityContexts
{
    /// <summary>Whether <see cref="Resolve"/> needs the image's configured user (runAsNonRoot, or a group without a user).</summary>
    public static bool NeedsImageUser(Pod pod, Container container)
    {
        var (user, group, nonRoot) = Identity(pod, container);
        return nonRoot == true || (group is not null && user is null);
    }

    /// <param name="imageUser">The image's User ("", "1000", "1000:1000", "nobody"); needed when <see cref="NeedsImageUser"/>.</param>
    public static ContainerSecurity Resolve(Pod pod, Container container, bool allowPrivileged, string? imageUser)
    {
        var podSc = pod.Spec.SecurityContext;
        var sc = container.SecurityContext;
        var (runAsUser, runAsGroup, runAsNonRoot) = Identity(pod, container);

        if (runAsNonRoot == true)
            VerifyNonRoot(pod, container, runAsUser, imageUser ?? "");

        var privileged = sc?.Privileged == true;
        if (privileged && !allowPrivileged)
            throw new ContainerConfigException(
                $"container {container.Name} is privileged, which this node does not allow: start its agent with --allow-privileged true, or drop securityContext.privileged");

        string? user = null;
        if (runAsUser is { } uid)
            user = runAsGroup is { } gid ? Invariant($"{uid}:{gid}") : Invariant($"{uid}");
        else if (runAsGroup is { } onlyGid)
            user = Invariant($"{ImageUserPart(imageUser ?? "")}:{onlyGid}");

        List<long> groups = [.. podSc?.SupplementalGroups ?? []];
        if (podSc?.FsGroup is { } fsGroup && !groups.Contains(fsGroup))
            groups.Add(fsGroup);

        return new ContainerSecurity
        {
            User = user,
            Groups = groups,
            ReadOnlyRootFilesystem = sc?.ReadOnlyRootFilesystem == true,
            CapabilitiesAdd = [.. sc?.Capabilities?.Add ?? []],
            CapabilitiesDrop = [.. sc?.Capabilities?.Drop ?? []],
            NoNewPrivileges = sc?.AllowPrivilegeEscalation == false,
            Privileged = privileged,
            HostPid = pod.Spec.HostPID == true,
            HostIpc = pod.Spec.HostIPC == true,
        };
    }

    private static (long? User, long? Group, bool? NonRoot) Identity(Pod pod, Container container)
    {
        var podSc = pod.Spec.SecurityContext;
        var sc = container.SecurityContext;
        return (sc?.RunAsUser ?? podSc?.RunAsUser, sc?.RunAsGroup ?? podSc?.RunAsGroup, sc?.RunAsNonRoot ?? podSc?.RunAsNonRoot);
    }

    /// <summary>The kubelet's verifyRunAsNonRoot, with its messages.</summary>
    private static void VerifyNonRoot(Pod pod, Container container, long? runAsUser, string imageUser)
    {
        var who = $"pod: \"{pod.Metadata.Name}_{pod.Metadata.Namespace}({pod.Metadata.Uid})\", container: {container.Name}";
        if (runAsUser is { } uid)
        {
            if (uid == 0)
                throw new ContainerConfigException($"container's runAsUser breaks non-root policy ({who})");
            return;
        }
        var part = ImageUserPart(imageUser);
        if (part.Length == 0 || part == "0")
            throw new ContainerConfigException($"container has runAsNonRoot and image will run as root ({who})");
        if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new ContainerConfigException($"container has runAsNonRoot and image has non-numeric user ({part}), cannot verify user is non-root ({who})");
    }

    /// <summary>The user part of an image's "user[:group]" ("" means root).</summary>
    private static string ImageUserPart(string imageUser)
    {
        var colon = imageUser.IndexOf(':', StringComparison.Ordinal);
        var part = colon >= 0 ? imageUser[..colon] : imageUser;
        return part.Length == 0 ? "0" : part;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
