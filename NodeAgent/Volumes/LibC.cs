using System.Runtime.InteropServices;

namespace Granary.NodeAgent.Volumes;

/// <summary>
/// The few system calls volumes need that .NET does not offer: rename(2) of a symlink (File.Move follows the link
/// to check its target), mount(2)/umount2(2) for tmpfs, and lchown(2) for fsGroup. Each throws
/// <see cref="IOException"/> with the errno's text, so callers see why.
/// </summary>
internal static partial class LibC
{
    private const ulong MsNoSuid = 2;
    private const ulong MsNoDev = 4;
    private const int MntDetach = 2;

    /// <summary>Atomically replaces <paramref name="newPath"/> by <paramref name="oldPath"/> (a link is renamed, not followed).</summary>
    public static void Rename(string oldPath, string newPath)
    {
        if (NativeRename(oldPath, newPath) != 0)
            throw Failure($"rename {oldPath} to {newPath}");
    }

    /// <summary>Mounts a tmpfs at <paramref name="target"/> with <paramref name="options"/> (e.g. "size=64m,mode=0755"), nosuid and nodev.</summary>
    public static void MountTmpfs(string target, string options)
    {
        if (NativeMount("tmpfs", target, "tmpfs", MsNoSuid | MsNoDev, options) != 0)
            throw Failure($"mount tmpfs at {target}");
    }

    /// <summary>Unmounts <paramref name="target"/>; lazily (detached) when a process still holds it, as the kubelet's cleanup does.</summary>
    public static void Unmount(string target)
    {
        if (NativeUmount2(target, 0) == 0)
            return;
        if (NativeUmount2(target, MntDetach) != 0)
            throw Failure($"unmount {target}");
    }

    /// <summary>Sets the owning group of <paramref name="path"/> (a link itself, not its target).</summary>
    public static void ChangeGroup(string path, long gid)
    {
        if (NativeLchown(path, -1, (int)gid) != 0)
            throw Failure($"chown :{gid} {path}");
    }

    /// <summary>Sets permission bits exactly (the umask narrowed them at creation).</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("volumes need a Linux node");
        File.SetUnixFileMode(path, mode);
    }

    public static UnixFileMode GetMode(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("volumes need a Linux node") : File.GetUnixFileMode(path);

    private static IOException Failure(string what) => new($"{what}: {Marshal.GetLastPInvokeErrorMessage()}");

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeRename(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeMount(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeUmount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeLchown(string path, int owner, int group);
}
