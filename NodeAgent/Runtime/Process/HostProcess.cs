using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>The host's process primitives the process driver needs and .NET lacks: signals, FIFOs, /proc.</summary>
internal static partial class HostProcess
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private const int Esrch = 3;
    private const int Eintr = 4;
    private const int Eagain = 11;
    private const int Eexist = 17;
    private const int ORdOnly = 0;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;

    /// <summary>A process's start time (clock ticks after boot, /proc/PID/stat field 22) and state letter (field 3).</summary>
    public readonly record struct Stat(ulong StartTicks, char State);

    public static Stat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return new Stat(ulong.Parse(fields[19], CultureInfo.InvariantCulture), fields[0][0]);
    }

    /// <summary>True while the process that had <paramref name="startTicks"/> runs; a reused pid or a zombie is not it.</summary>
    public static bool IsAlive(int pid, ulong startTicks) =>
        ReadStat(pid) is { } stat && stat.StartTicks == startTicks && stat.State is not ('Z' or 'X');

    /// <summary>
    /// Signals the container's process group (it runs in a session of its own), which reaches the children
    /// of a shell too; falls back to the process alone if its group is not set up yet. False: nothing to signal.
    /// </summary>
    public static bool SignalGroup(int pid, int signal)
    {
        if (Kill(-pid, signal) == 0)
            return true;
        return Marshal.GetLastPInvokeError() == Esrch && Kill(pid, signal) == 0;
    }

    /// <summary>Signals the process group only (never a lone pid, which may have been reused).</summary>
    public static bool KillGroup(int pgid, int signal) => Kill(-pgid, signal) == 0;

    public static void MakeFifo(string path)
    {
        if (MkFifo(path, 0b110_000_000) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Eexist)
            throw new IOException($"mkfifo {path} failed (errno {errno})");
    }

    /// <summary>Opens a FIFO's read end without blocking, even before any writer has it open.</summary>
    public static SafeFileHandle OpenFifoForReading(string path)
    {
        var fd = Open(path, ORdOnly | ONonBlock | OCloExec);
        if (fd < 0)
            throw new IOException($"open {path} failed (errno {Marshal.GetLastPInvokeError()})");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Bytes read; 0 when no writer is left; -1 when nothing is there right now.</summary>
    public static int ReadAvailable(SafeFileHandle fifo, Span<byte> buffer)
    {
        while (true)
        {
            var n = Read(fifo, buffer, buffer.Length);
            if (n >= 0)
                return (int)n;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Eagain)
                return -1;
            if (errno != Eintr)
                throw new IOException($"reading a container's output failed (errno {errno})");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(SafeFileHandle fd, Span<byte> buffer, nint count);
}
