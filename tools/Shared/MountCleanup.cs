using System.Runtime.InteropServices;
using System.Text;

namespace Granary.Tools;

/// <summary>
/// Unmounts what a private dockerd leaves mounted below its root (its exec root's netns/default bind mount and any
/// overlay), so the folder can be deleted. Shared, as a linked source file, by the test fixture and the benchmark.
/// </summary>
internal static class MountCleanup
{
    /// <summary>Unmounts every mount point at or below <paramref name="root"/>, deepest first.</summary>
    public static void UnmountAllUnder(string root)
    {
        foreach (var point in MountsUnder(root))
            Unmount(point);
    }

    private static List<string> MountsUnder(string root) =>
        [.. File.ReadLines("/proc/self/mountinfo")
            .Select(line => Unescape(line.Split(' ')[4]))
            .Where(point => point == root || point.StartsWith(root + "/", StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(point => point.Length)];

    private static void Unmount(string point)
    {
        const int MntDetach = 2;
        if (Umount2(point, 0) != 0 && Umount2(point, MntDetach) != 0)
            throw new IOException($"cannot unmount {point} (errno {Marshal.GetLastPInvokeError()}); unmount it by hand, then delete the folder");
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string field)
    {
        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }

    // DllImport rather than LibraryImport: the latter needs unsafe code enabled in every project that links this file.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "umount2", SetLastError = true)]
    private static extern int Umount2([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);
#pragma warning restore SYSLIB1054
}
