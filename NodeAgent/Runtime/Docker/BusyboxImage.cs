using System.Diagnostics;
using System.Formats.Tar;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>
/// A tiny image made from the host's static busybox (Debian's busybox-static), built in memory and imported
/// through the Engine API: containers need an image, and no registry is reachable where Granary is tested.
/// </summary>
public static class BusyboxImage
{
    public const string Name = "local/busybox:1";

    public const string BusyboxPath = "/bin/busybox";

    private static readonly string[] Changes = ["CMD [\"/bin/sh\"]", "ENV PATH=/bin"];

    // Fixed times keep the archive the same from run to run.
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// A root filesystem tar: /bin/busybox, a symlink per applet it lists, /etc/passwd and /etc/group with root,
    /// and the directories programs expect (tmp sticky and world-writable).
    /// </summary>
    public static MemoryStream BuildRootfsTar(string busyboxPath = BusyboxPath)
    {
        if (!File.Exists(busyboxPath))
            throw new FileNotFoundException($"{busyboxPath} is missing: install the busybox-static package (apt-get install busybox-static)", busyboxPath);
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var dir in new[] { "bin", "dev", "etc", "proc", "root", "sys" })
                writer.WriteEntry(DirEntry(dir, Mode755));
            writer.WriteEntry(DirEntry("tmp", Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit));
            using (var busybox = File.OpenRead(busyboxPath))
                writer.WriteEntry(FileEntry("bin/busybox", Mode755, busybox));
            foreach (var applet in ListApplets(busyboxPath).Where(a => a != "busybox"))
                writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", ModificationTime = Epoch });
            writer.WriteEntry(TextEntry("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"));
            writer.WriteEntry(TextEntry("etc/group", "root:x:0:\n"));
        }
        tar.Position = 0;
        return tar;
    }

    /// <summary>Imports the busybox image unless it is already there (a second import would leave a dangling image). Returns its name.</summary>
    public static async Task<string> ImportBusyboxAsync(Uri endpoint, CancellationToken ct)
    {
        using (var runtime = new DockerRuntime(endpoint, NullLogger.Instance))
        {
            if (await runtime.ImageExistsAsync(Name, ct))
                return Name;
        }
        await using var tar = BuildRootfsTar();
        await DockerRuntime.ImportImageAsync(endpoint, tar, Name, Changes, ct);
        return Name;
    }

    private const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static PaxTarEntry DirEntry(string name, UnixFileMode mode) =>
        new(TarEntryType.Directory, name + "/") { Mode = mode, ModificationTime = Epoch };

    private static PaxTarEntry FileEntry(string name, UnixFileMode mode, Stream data) =>
        new(TarEntryType.RegularFile, name) { Mode = mode, ModificationTime = Epoch, DataStream = data };

    private static PaxTarEntry TextEntry(string name, string content) =>
        FileEntry(name, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)));

    private static string[] ListApplets(string busyboxPath)
    {
        var info = new ProcessStartInfo(busyboxPath) { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("--list");
        using var process = System.Diagnostics.Process.Start(info)
            ?? throw new InvalidOperationException($"could not run {busyboxPath} --list");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{busyboxPath} --list exited with {process.ExitCode}");
        // Applet names are plain words; anything else (a path, "..") has no place in bin/.
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(a => a.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '[') && a is not "." and not "..")
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
