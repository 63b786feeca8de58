using System.Diagnostics;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// Pods of the process driver are host processes that outlive their agent (as containers outlive the kubelet, so a
/// restarted agent adopts them). A fixture that ran such an agent kills what still works under its state directory
/// before removing it, so no test leaves a process behind.
/// </summary>
public static class HostProcesses
{
    /// <summary>Kills every process (and its children) whose working directory is under <paramref name="dir"/>; returns how many.</summary>
    public static int KillUnder(string dir)
    {
        var root = Path.GetFullPath(dir).TrimEnd('/') + "/";
        var killed = 0;
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
                continue;
            string? cwd;
            try
            {
                cwd = new FileInfo(Path.Combine(entry, "cwd")).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone meanwhile, or not ours to read
            }
            if (cwd is null || !(cwd.TrimEnd('/') + "/").StartsWith(root, StringComparison.Ordinal))
                continue;
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                killed++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // It ended by itself meanwhile.
            }
        }
        return killed;
    }
}
