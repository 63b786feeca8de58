using Granary.NodeAgent.Systemd;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Hosting;

/// <summary>
/// Logging for Granary's processes (agent and silo): journald's format under systemd (one line, priority prefix),
/// one timestamped line per entry otherwise, and Orleans' own chatter kept to what an operator needs.
/// </summary>
public static class HostLogging
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        if (JournaldLogging.IsUnderSystemd())
            logging.AddSystemdConsole();
        else
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // Placement retries during a failover log one warning per message; the membership log says what matters.
        logging.AddFilter("Polly", LogLevel.Error);
    }
}
