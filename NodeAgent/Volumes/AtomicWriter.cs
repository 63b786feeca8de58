using System.Globalization;
using System.Security.Cryptography;

namespace Granary.NodeAgent.Volumes;

/// <summary>One file of a configMap, secret, projected or downwardAPI volume: its bytes and permission bits (e.g. 0644).</summary>
public sealed record FileProjection(byte[] Data, int Mode)
{
    public bool SameAs(FileProjection other) => Mode == other.Mode && Data.AsSpan().SequenceEqual(other.Data);
}

/// <summary>
/// Writes a volume's files the way the kubelet's AtomicWriter does, so a reader never sees a half-written file or a
/// mix of two versions:
/// <code>
/// target/..2026_12_07_01_30_00.123456789/  one generation of every file (written completely first)
/// target/..data -> ..2026_12_07_01_30_00.123456789   swapped with one rename(2)
/// target/key -> ..data/key                           what the container reads
/// </code>
/// A new generation is written only when the payload differs from the current one; the old generation and
/// user-visible names the new payload lacks are removed after the swap. Not thread-safe: one writer per directory.
/// </summary>
public sealed class AtomicWriter(string targetDir, TimeProvider time)
{
    public const string DataDirName = "..data";
    private const string NewDataDirName = "..data_tmp";

    // Kube's defaults for ownership by fsGroup (pkg/volume/volume_linux.go): read-only volumes get group read,
    // and directories also setgid and group search.
    private const UnixFileMode GroupRead = UnixFileMode.UserRead | UnixFileMode.GroupRead;
    private const UnixFileMode DirectoryGroupBits = GroupRead | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.SetGroup;

    public string TargetDir { get; } = targetDir;

    /// <summary>
    /// Makes the directory hold exactly <paramref name="payload"/> (relative path → file). With <paramref name="fsGroup"/>,
    /// every file and directory of the generation belongs to that group and is group-readable, as the kubelet does.
    /// Returns false when the current generation already holds it (nothing written).
    /// Throws <see cref="ArgumentException"/> for a path that would leave the directory or hide the generation.
    /// </summary>
    public bool Write(IReadOnlyDictionary<string, FileProjection> payload, long? fsGroup = null)
    {
        foreach (var path in payload.Keys)
            ValidatePath(path);
        var effective = payload.ToDictionary(p => p.Key, p => fsGroup is null ? p.Value : p.Value with { Mode = p.Value.Mode | (int)GroupRead }, StringComparer.Ordinal);
        Directory.CreateDirectory(TargetDir);

        var current = CurrentGeneration();
        if (current is not null && Holds(Path.Combine(TargetDir, current), effective))
        {
            EnsureVisibleNames(effective.Keys);
            return false;
        }

        var generation = NewGenerationDirectory();
        var generationPath = Path.Combine(TargetDir, generation);
        foreach (var (path, file) in effective)
        {
            var full = Path.Combine(generationPath, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, file.Data);
            LibC.SetMode(full, (UnixFileMode)file.Mode);
        }
        if (fsGroup is { } group)
            OwnByGroup(generationPath, group);

        // The swap: a new link beside the old one, renamed over it in one step.
        var newLink = Path.Combine(TargetDir, NewDataDirName);
        if (File.Exists(newLink) || Directory.Exists(newLink) || IsLink(newLink))
            File.Delete(newLink);
        File.CreateSymbolicLink(newLink, generation);
        LibC.Rename(newLink, Path.Combine(TargetDir, DataDirName));

        EnsureVisibleNames(effective.Keys);
        RemoveStale(generation, effective.Keys);
        return true;
    }

    /// <summary>The current generation's files (relative path → file), or empty when nothing was written yet.</summary>
    public IReadOnlyDictionary<string, FileProjection> Read()
    {
        if (CurrentGeneration() is not { } current)
            return new Dictionary<string, FileProjection>();
        var root = Path.Combine(TargetDir, current);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(root, f),
            f => new FileProjection(File.ReadAllBytes(f), (int)LibC.GetMode(f)),
            StringComparer.Ordinal);
    }

    /// <summary>Kube's rules (validatePath): relative, no "..", no element starting with "..", no empty element.</summary>
    public static void ValidatePath(string path)
    {
        if (path.Length == 0)
            throw new ArgumentException("invalid path: must not be empty");
        if (path.Length > 4096)
            throw new ArgumentException($"invalid path: must be less than or equal to 4096 characters");
        if (Path.IsPathRooted(path))
            throw new ArgumentException($"invalid path {path}: must be relative path");
        var elements = path.Split('/');
        if (elements.Any(e => e == ".."))
            throw new ArgumentException($"invalid path {path}: must not contain '..'");
        if (path.StartsWith("..", StringComparison.Ordinal))
            throw new ArgumentException($"invalid path {path}: must not start with '..'");
        if (elements.Any(e => e.Length > 255))
            throw new ArgumentException($"invalid path {path}: an element must be less than or equal to 255 characters");
    }

    /// <summary>The generation directory ..data points at, or null.</summary>
    private string? CurrentGeneration()
    {
        var link = new FileInfo(Path.Combine(TargetDir, DataDirName));
        return link.LinkTarget is { } target && Directory.Exists(Path.Combine(TargetDir, target)) ? target : null;
    }

    private static bool Holds(string generation, Dictionary<string, FileProjection> payload)
    {
        var files = Directory.EnumerateFiles(generation, "*", SearchOption.AllDirectories).ToList();
        if (files.Count != payload.Count)
            return false;
        foreach (var file in files)
        {
            if (!payload.TryGetValue(Path.GetRelativePath(generation, file), out var wanted))
                return false;
            if ((int)LibC.GetMode(file) != wanted.Mode || !File.ReadAllBytes(file).AsSpan().SequenceEqual(wanted.Data))
                return false;
        }
        return true;
    }

    /// <summary>"..2006_01_02_15_04_05.&lt;random&gt;", the kubelet's name for a generation.</summary>
    private string NewGenerationDirectory()
    {
        var stamp = time.GetUtcNow().ToString("yyyy_MM_dd_HH_mm_ss", CultureInfo.InvariantCulture);
        while (true)
        {
            var name = $"..{stamp}.{RandomNumberGenerator.GetInt32(1_000_000_000):D9}";
            var path = Path.Combine(TargetDir, name);
            if (Directory.Exists(path))
                continue;
            Directory.CreateDirectory(path);
            return name;
        }
    }

    private static void OwnByGroup(string root, long gid)
    {
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
        {
            LibC.ChangeGroup(dir, gid);
            LibC.SetMode(dir, LibC.GetMode(dir) | DirectoryGroupBits);
        }
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            LibC.ChangeGroup(file, gid);
    }

    /// <summary>Each top-level name of the payload as a link into ..data (links survive swaps: they name ..data, not a generation).</summary>
    private void EnsureVisibleNames(IEnumerable<string> paths)
    {
        foreach (var top in paths.Select(TopLevel).Distinct(StringComparer.Ordinal))
        {
            var visible = Path.Combine(TargetDir, top);
            if (!IsLink(visible))
                File.CreateSymbolicLink(visible, Path.Combine(DataDirName, top));
        }
    }

    /// <summary>Removes every older generation, a leftover swap link, and visible names the payload no longer has.</summary>
    private void RemoveStale(string current, IEnumerable<string> paths)
    {
        var visible = paths.Select(TopLevel).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(TargetDir).EnumerateFileSystemInfos())
        {
            var name = entry.Name;
            if (name == DataDirName || name == current)
                continue;
            if (name.StartsWith("..", StringComparison.Ordinal))
            {
                if (entry.LinkTarget is null && entry is DirectoryInfo dir)
                    dir.Delete(recursive: true);
                else
                    File.Delete(entry.FullName);
            }
            else if (!visible.Contains(name) && entry.LinkTarget is not null)
            {
                // Only the writer's own links: a name the writer never made is left alone.
                File.Delete(entry.FullName);
            }
        }
    }

    private static string TopLevel(string path) => path.Split('/')[0];

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;
}
