using System.Runtime.InteropServices;

namespace Granary.NodeAgent.Volumes;

/// <summary>
/// kube's hostPath <c>type</c> checks (pkg/volume/hostpath): "" checks nothing; DirectoryOrCreate and FileOrCreate
/// make what is missing (0755 directory, empty 0644 file); the others require what they name. A failed check is a
/// <see cref="VolumeMountException"/> with kube's message.
/// </summary>
public static partial class HostPathCheck
{
    private const uint TypeMask = 0xF000;
    private const uint Socket = 0xC000;
    private const uint CharDevice = 0x2000;
    private const uint BlockDevice = 0x6000;
    private const uint Directory = 0x4000;
    private const uint Regular = 0x8000;

    public static void Check(string path, string? type)
    {
        switch (type ?? "")
        {
            case "":
                return;
            case "DirectoryOrCreate":
                if (!Exists(path))
                {
                    System.IO.Directory.CreateDirectory(path);
                    return;
                }
                Require(path, Directory, "is not a directory");
                return;
            case "Directory":
                Require(path, Directory, "is not a directory");
                return;
            case "FileOrCreate":
                if (!Exists(path))
                {
                    using (File.Create(path))
                    {
                    }
                    LibC.SetMode(path, (UnixFileMode)0b110_100_100);
                    return;
                }
                Require(path, Regular, "is not a file");
                return;
            case "File":
                Require(path, Regular, "is not a file");
                return;
            case "Socket":
                Require(path, Socket, "is not a socket file");
                return;
            case "CharDevice":
                Require(path, CharDevice, "is not a character device");
                return;
            case "BlockDevice":
                Require(path, BlockDevice, "is not a block device");
                return;
            default:
                throw new VolumeMountException($"{type} is an invalid volume type");
        }
    }

    private static bool Exists(string path) => FileType(path) is not null;

    private static void Require(string path, uint fileType, string failure)
    {
        if (FileType(path) != fileType)
            throw new VolumeMountException($"hostPath type check failed: {path} {failure}");
    }

    /// <summary>The S_IFMT bits of stat(2) (following links, as kube's os.Stat), or null when nothing is there.</summary>
    private static uint? FileType(string path)
    {
        // struct stat's st_mode: offset 24 on x86-64, 16 on arm64 (glibc's generic layout).
        var offset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        var buffer = new byte[256];
        return NativeStat(path, buffer) == 0 ? BitConverter.ToUInt32(buffer, offset) & TypeMask : null;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeStat(string path, [Out] byte[] buffer);
}
