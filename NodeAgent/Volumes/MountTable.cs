using System.Text;

namespace Granary.NodeAgent.Volumes;

/// <summary>The mount points of this process's mount namespace, read from /proc/self/mountinfo.</summary>
public static class MountTable
{
    public const string MountInfoPath = "/proc/self/mountinfo";

    /// <summary>Every mount point at or below <paramref name="root"/>, deepest first (the order to unmount them in).</summary>
    public static IReadOnlyList<string> Below(string root) => Below(root, File.Exists(MountInfoPath) ? File.ReadAllLines(MountInfoPath) : []);

    public static IReadOnlyList<string> Below(string root, IEnumerable<string> mountInfoLines)
    {
        var prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        return [.. mountInfoLines
            .Select(MountPointOf)
            .OfType<string>()
            .Where(m => m == prefix || m.StartsWith(prefix + "/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(m => m.Length)];
    }

    public static bool IsMountPoint(string path) => Below(path).Contains(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));

    /// <summary>The fifth field of a mountinfo line, with the kernel's octal escapes (\040 for a space) undone.</summary>
    public static string? MountPointOf(string line)
    {
        var fields = line.Split(' ');
        return fields.Length > 4 ? Unescape(fields[4]) : null;
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
            return field;
        var bytes = new List<byte>(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                bytes.Add((byte)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
