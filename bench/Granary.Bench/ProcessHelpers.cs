using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Granary.Bench;

/// <summary>What the benchmark needs to run its own processes (redis-server, a silo, dockerd, an agent): builds, ports, signals, /proc.</summary>
internal static class ProcessHelpers
{
    private const int SigTerm = 15;

    /// <summary>Free TCP ports on 127.0.0.1, all distinct (each is held open until all are found).</summary>
    public static int[] FreeLoopbackPorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
                listener.Stop();
        }
    }

    /// <summary>The folder holding Orleans.sln, searched upwards from the current directory and from this program.</summary>
    public static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
                    return dir.FullName;
            }
        }
        throw new BenchmarkException("cannot find the repository (a folder with Orleans.sln) above the current directory; run from the repository");
    }

    /// <summary>
    /// The full path of <paramref name="dll"/> (relative to the repository), after building <paramref name="project"/>
    /// in Release when it is missing. A dll that is already there is used as it is, however old.
    /// </summary>
    public static async Task<string> EnsureBuiltAsync(string repoRoot, string project, string dll, TextWriter output, CancellationToken ct)
    {
        var path = Path.Combine(repoRoot, dll);
        if (File.Exists(path))
            return path;
        output.WriteLine($"{dll} is not built; building it: dotnet build {project} -c Release");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = repoRoot, UseShellExecute = false };
        foreach (var argument in new[] { "build", project, "-c", "Release", "-nologo", "-v", "minimal" })
            info.ArgumentList.Add(argument);
        // The build's own output is the progress here: it goes straight to the terminal.
        using var build = Process.Start(info) ?? throw new BenchmarkException("cannot start dotnet build");
        try
        {
            await build.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            build.Kill(entireProcessTree: true);
            throw;
        }
        if (build.ExitCode != 0 || !File.Exists(path))
            throw new BenchmarkException($"building {project} failed (exit {build.ExitCode}); run \"dotnet build {project} -c Release\" in {repoRoot} to see why");
        return path;
    }

    /// <summary>
    /// Stops a process the way an operator would: SIGTERM, then up to <paramref name="grace"/> to exit, then SIGKILL.
    /// Returns false when it had to be killed.
    /// </summary>
    public static async Task<bool> StopAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
            return true;
        if (Kill(process.Id, SigTerm) != 0 && !process.HasExited)
            throw new BenchmarkException($"cannot send SIGTERM to process {process.Id}: errno {Marshal.GetLastPInvokeError()}");
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return false;
        }
    }

    /// <summary>A process's peak resident set size (VmHWM in /proc/PID/status), in bytes; null when unreadable.</summary>
    public static long? PeakRssBytes(int pid) => ReadStatusKilobytes(pid, "VmHWM:") * 1024;

    /// <summary>A process's resident set size now (VmRSS in /proc/PID/status), in bytes; null when unreadable.</summary>
    public static long? RssBytes(int pid) => ReadStatusKilobytes(pid, "VmRSS:") * 1024;

    /// <summary>CPU time a process has used so far, user and system (utime + stime in /proc/PID/stat), in seconds; null when unreadable.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return ticks / (double)ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
    }

    // USER_HZ: 100 on every Linux the benchmark runs on (sysconf(_SC_CLK_TCK)).
    private const int ClockTicksPerSecond = 100;

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg, as written there; null when unreadable.</summary>
    public static string? LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return fields.Length >= 3 ? $"{fields[0]} {fields[1]} {fields[2]}" : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long? ReadStatusKilobytes(int pid, string field)
    {
        try
        {
            // Lines look like "VmHWM:\t  123456 kB".
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            var parts = line?[field.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return parts is [var number, "kB"] && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Process.Kill only sends SIGKILL; a graceful stop needs SIGTERM. DllImport, not LibraryImport: the
    // signature is blittable, and LibraryImport would need unsafe code enabled for the whole project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
