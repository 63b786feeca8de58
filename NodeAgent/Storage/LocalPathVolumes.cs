using Granary.Errors;
using Granary.Model;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.Selectors;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Storage;

/// <summary>
/// Finds the directory on this node behind a pod's PersistentVolumeClaim: reads the claim and its volume from the
/// control plane, checks the volume is a local-path volume of this node, makes the directory (mode 0777 as k3s's
/// local-path does, so containers running as any user can write) and returns its host path for a bind mount.
/// </summary>
public sealed class LocalPathVolumes(ControlPlaneLink link, ControlPlaneRefusals refusals, IOptions<AgentSettings> settings) : Volumes.IClaimPaths
{
    private const UnixFileMode Everyone =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private string Root => Path.GetFullPath(settings.Value.LocalPathRoot);

    /// <summary>
    /// The host directory of the claim's volume, created if missing. Idempotent. Throws
    /// <see cref="LocalPathVolumeException"/> saying what is wrong: the control plane is unreachable, the claim is
    /// missing or not bound yet, the node may not read it (all <see cref="LocalPathVolumeException.Retryable"/>), or its
    /// volume lives on another node or outside this node's local-path root.
    /// </summary>
    public async Task<string> ResolveClaimPathAsync(string @namespace, string claimName, CancellationToken ct)
    {
        var client = link.Client
            ?? throw new LocalPathVolumeException($"persistentvolumeclaim \"{claimName}\" cannot be read: the control plane is not reachable", retryable: true);
        PersistentVolumeClaim claim;
        try
        {
            claim = await refusals.CallAsync(AgentCall.ReadVolumeClaim, $"{@namespace}/{claimName}",
                () => client.PersistentVolumeClaims.GetAsync(@namespace, claimName, ct));
        }
        catch (NotFoundException)
        {
            throw new LocalPathVolumeException($"persistentvolumeclaim \"{claimName}\" not found", retryable: true);
        }
        catch (Exception e) when (e is GranaryException or OrleansException or TimeoutException)
        {
            throw new LocalPathVolumeException($"persistentvolumeclaim \"{claimName}\" cannot be read: {e.Message}", retryable: true);
        }
        if (claim.Metadata.DeletionTimestamp is not null)
            throw new LocalPathVolumeException($"persistentvolumeclaim \"{claimName}\" is being deleted", retryable: false);
        if (string.IsNullOrEmpty(claim.Spec.VolumeName) || claim.Status?.Phase != VolumePhases.Bound)
            throw new LocalPathVolumeException(
                $"PVC {@namespace}/{claimName} has non-bound phase (\"{claim.Status?.Phase}\") or empty pvc.Spec.VolumeName (\"{claim.Spec.VolumeName}\")", retryable: true);

        PersistentVolume volume;
        try
        {
            volume = await refusals.CallAsync(AgentCall.ReadVolumeClaim, claim.Spec.VolumeName,
                () => client.PersistentVolumes.GetAsync(null, claim.Spec.VolumeName, ct));
        }
        catch (NotFoundException)
        {
            throw new LocalPathVolumeException($"persistentvolume \"{claim.Spec.VolumeName}\" of claim \"{claimName}\" not found", retryable: true);
        }
        catch (Exception e) when (e is GranaryException or OrleansException or TimeoutException)
        {
            throw new LocalPathVolumeException($"persistentvolume \"{claim.Spec.VolumeName}\" of claim \"{claimName}\" cannot be read: {e.Message}", retryable: true);
        }
        return Prepare(CheckVolume(volume, claim, link.NodeName, Root));
    }

    /// <summary>The directory of <paramref name="volume"/> when it is a local-path volume of this node bound to the claim.</summary>
    public static string CheckVolume(PersistentVolume volume, PersistentVolumeClaim claim, string nodeName, string root)
    {
        var name = volume.Metadata.Name!;
        if (volume.Spec.ClaimRef?.Uid is { } uid && uid != claim.Metadata.Uid)
            throw new LocalPathVolumeException($"persistentvolume \"{name}\" is bound to another claim", retryable: false);
        if (volume.Spec.NodeAffinity?.Required is { } required
            && !NodeSelectorMatch.Matches(required, nodeName, new Dictionary<string, string> { [LocalPath.HostnameLabel] = nodeName }))
            throw new LocalPathVolumeException(
                $"persistentvolume \"{name}\" of claim \"{claim.Metadata.Name}\" is on node {NodeSelectorMatch.PinnedNode(volume.Spec.NodeAffinity) ?? "(another)"}, not {nodeName}: volume node affinity conflict",
                retryable: false);
        var path = volume.Spec.HostPath?.Path ?? volume.Spec.Local?.Path
            ?? throw new LocalPathVolumeException($"persistentvolume \"{name}\" is neither a hostPath nor a local volume", retryable: false);
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) != root || LocalPath.VolumeOfDirectory(Path.GetFileName(full)) != name)
            throw new LocalPathVolumeException(
                $"persistentvolume \"{name}\" names {path}, which is not a local-path volume directory under this node's root {root} (--local-path-root)", retryable: false);
        return full;
    }

    private static string Prepare(string path)
    {
        var info = new DirectoryInfo(path);
        if (info.Exists && info.LinkTarget is not null)
            throw new LocalPathVolumeException($"{path} is a symbolic link, not a volume directory; remove it", retryable: false);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Directory.CreateDirectory(path);
        // Set explicitly: the process umask would take the write bits of group and others away.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, Everyone);
        return path;
    }
}

/// <summary>Why a claim's directory cannot be given to a pod; <see cref="Retryable"/> when waiting may fix it.</summary>
public sealed class LocalPathVolumeException(string message, bool retryable) : Exception(message)
{
    public bool Retryable { get; } = retryable;
}
