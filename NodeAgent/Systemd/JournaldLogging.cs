namespace Granary.NodeAgent.Systemd;

/// <summary>
/// Whether the agent runs as a systemd service, so its console logs should take journald's format
/// (logging.AddSystemdConsole(): one line per entry with a &lt;priority&gt; prefix). Microsoft.Extensions.Hosting.Systemd
/// decides by the parent process' name, which misses a service started through a wrapper; these variables do not.
/// </summary>
public static class JournaldLogging
{
    private static readonly string[] Variables = ["JOURNAL_STREAM", "INVOCATION_ID", "NOTIFY_SOCKET"];

    public static bool IsUnderSystemd() => IsUnderSystemd(Environment.GetEnvironmentVariable);

    /// <summary>True when systemd set any of JOURNAL_STREAM, INVOCATION_ID or NOTIFY_SOCKET.</summary>
    public static bool IsUnderSystemd(Func<string, string?> variable) =>
        Variables.Any(name => !string.IsNullOrEmpty(variable(name)));
}
