using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Systemd;

public sealed partial class WatchdogService
{
    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog: {Interval} timeout, pinging every half of it while the agent's loops are alive")]
    private static partial void LogWatchdogOn(ILogger logger, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "systemd watchdog ping withheld, stale loops: {Loops}; systemd restarts the agent unless they recover")]
    private static partial void LogWithheld(ILogger logger, string loops);

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog pings resumed: every loop is alive again")]
    private static partial void LogHealthyAgain(ILogger logger);
}
