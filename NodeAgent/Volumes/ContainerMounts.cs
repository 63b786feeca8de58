using Granary.NodeAgent.Pods;
using ModelVolumeMount = Granary.Model.VolumeMount;

namespace Granary.NodeAgent.Volumes;

/// <summary>One bind mount of a container: <see cref="Source"/> on the host at <see cref="ContainerPath"/>.</summary>
/// <param name="CreateSource">A subPath of a writable volume that does not exist yet is made, as the kubelet does.</param>
public sealed record PlannedMount(string Volume, string Source, string ContainerPath, bool ReadOnly, bool CreateSource);

/// <summary>
/// A container's volumeMounts as bind mounts of the pod's prepared volumes: subPath (or subPathExpr expanded with the
/// container's environment) inside the volume, readOnly from the mount or forced by the volume. Pure; errors are the
/// container's CreateContainerConfigError.
/// </summary>
public static class ContainerMounts
{
    public static IReadOnlyList<PlannedMount> Plan(IEnumerable<ModelVolumeMount> mounts, IReadOnlyDictionary<string, PreparedVolume> volumes,
        IReadOnlyDictionary<string, string> env, string container)
    {
        var planned = new List<PlannedMount>();
        foreach (var mount in mounts)
        {
            if (!volumes.TryGetValue(mount.Name, out var volume))
                throw new ContainerConfigException($"cannot find volume \"{mount.Name}\" to mount into container \"{container}\"");
            var subPath = !string.IsNullOrEmpty(mount.SubPathExpr) ? EnvExpansion.Expand(mount.SubPathExpr, env) : mount.SubPath ?? "";
            if (subPath.Length > 0 && (Path.IsPathRooted(subPath) || subPath.Split('/').Contains("..")))
                throw new ContainerConfigException($"failed to prepare subPath for volumeMount \"{mount.Name}\" of container \"{container}\": subPath \"{subPath}\" must be a relative path within the volume");
            var source = subPath.Length == 0 ? volume.HostPath : Path.Combine(volume.HostPath, subPath.TrimEnd('/'));
            planned.Add(new PlannedMount(mount.Name, source, mount.MountPath, mount.ReadOnly == true || !volume.Writable, CreateSource: subPath.Length > 0 && volume.Writable));
        }
        return planned;
    }
}
