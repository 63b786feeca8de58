using System.Globalization;

namespace Granary.NodeAgent.Systemd;

/// <summary>What systemd tells a Type=notify service through its environment (sd_notify(3), sd_watchdog_enabled(3)).</summary>
public static class SystemdEnvironment
{
    /// <summary>NOTIFY_SOCKET: where notifications go (a path, or '@' for an abstract socket); null when unset.</summary>
    public static string? NotifySocket(Func<string, string?> variable) =>
        variable("NOTIFY_SOCKET") is { Length: > 0 } socket ? socket : null;

    /// <summary>
    /// WATCHDOG_USEC as a time span: how often systemd wants WATCHDOG=1 at the least. Null when unset, not a
    /// positive number, or meant for another process (WATCHDOG_PID names a process other than <paramref name="processId"/>).
    /// </summary>
    public static TimeSpan? WatchdogInterval(Func<string, string?> variable, int processId)
    {
        if (variable("WATCHDOG_PID") is { Length: > 0 } pid
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var owner) || owner != processId))
        {
            return null;
        }
        return long.TryParse(variable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }
}
