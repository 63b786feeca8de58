using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Volumes;

/// <summary>
/// Where a pod's volumes live on the node, as the kubelet lays them out:
/// <c>&lt;state-dir&gt;/pods/&lt;uid&gt;/volumes/kubernetes.io~&lt;type&gt;/&lt;name&gt;</c>. Made before the pod's first
/// container, kept across container restarts (they are the pod's, not a container's), removed when the pod goes,
/// after its containers. An agent that restarts finds them and uses them again: every call is idempotent.
/// </summary>
public sealed partial class PodVolumeDirectories(string stateDir, ILogger<PodVolumeDirectories> logger)
{
    /// <summary>The kubelet's plugin directory names (escaped "kubernetes.io/empty-dir" …), so operators find what they know.</summary>
    public const string EmptyDir = "kubernetes.io~empty-dir";
    public const string ConfigMap = "kubernetes.io~configmap";
    public const string Secret = "kubernetes.io~secret";
    public const string Projected = "kubernetes.io~projected";
    public const string DownwardApi = "kubernetes.io~downward-api";

    // Kube's emptyDir mode: any user of any container may write (the pod's containers may run as different users).
    private const UnixFileMode Everyone = (UnixFileMode)0b111_111_111;

    public string PodsRoot { get; } = Path.Combine(Path.GetFullPath(stateDir), "pods");

    public string PodDir(string uid) => Path.Combine(PodsRoot, CheckUid(uid));

    public string VolumeDir(string uid, string plugin, string name) => Path.Combine(PodDir(uid), "volumes", plugin, name);

    /// <summary>Makes a volume's directory (mode 0777, as kube's emptyDir) and returns its path.</summary>
    public string Ensure(string uid, string plugin, string name)
    {
        var dir = VolumeDir(uid, plugin, name);
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir);
            LibC.SetMode(dir, Everyone);
        }
        return dir;
    }

    /// <summary>
    /// Makes a volume's directory a tmpfs (memory-backed emptyDir, secrets) unless it already is one (an adopted
    /// pod). <paramref name="sizeBytes"/> null: the kernel's default (half the memory). Returns false when the mount
    /// was refused (the agent is not root): the caller decides whether disk will do.
    /// </summary>
    public bool EnsureTmpfs(string dir, long? sizeBytes)
    {
        if (MountTable.IsMountPoint(dir))
            return true;
        var options = sizeBytes is { } size ? $"size={size},mode=0777" : "mode=0777";
        try
        {
            LibC.MountTmpfs(dir, options);
            LogMounted(logger, dir, options);
            return true;
        }
        catch (IOException e)
        {
            LogTmpfsRefused(logger, dir, e.Message);
            return false;
        }
    }

    /// <summary>The uids of pods that have a directory here (what an agent restart adopts, or removes when they are gone).</summary>
    public IReadOnlyList<string> PodsOnDisk() =>
        Directory.Exists(PodsRoot) ? [.. Directory.EnumerateDirectories(PodsRoot).Select(Path.GetFileName).OfType<string>()] : [];

    /// <summary>
    /// Removes a pod's directory: unmounts every tmpfs below it first (deepest first), and deletes nothing while a
    /// mount is left, so a deletion never reaches into a mounted file system. Idempotent.
    /// </summary>
    public void RemovePod(string uid)
    {
        var dir = PodDir(uid);
        if (!Directory.Exists(dir))
            return;
        foreach (var mount in MountTable.Below(dir))
            LibC.Unmount(mount);
        if (MountTable.Below(dir) is [var left, ..])
            throw new IOException($"pod {uid}: {left} is still mounted after unmounting; its directory is kept");
        Directory.Delete(dir, recursive: true);
        LogRemoved(logger, uid, dir);
    }

    /// <summary>A uid is one path element: a pod can never name a directory outside its own.</summary>
    private static string CheckUid(string uid) =>
        uid.Length > 0 && uid != "." && uid != ".." && !uid.Contains('/', StringComparison.Ordinal) && !uid.Contains('\0', StringComparison.Ordinal)
            ? uid
            : throw new ArgumentException($"invalid pod uid \"{uid}\"", nameof(uid));

    [LoggerMessage(Level = LogLevel.Information, Message = "Mounted tmpfs at {Dir} ({Options})")]
    private static partial void LogMounted(ILogger logger, string dir, string options);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not mount tmpfs at {Dir} ({Reason}); the agent must run as root for memory-backed volumes")]
    private static partial void LogTmpfsRefused(ILogger logger, string dir, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Uid}: removed its volumes at {Dir}")]
    private static partial void LogRemoved(ILogger logger, string uid, string dir);
}
