namespace Granary.Silo.Systemd;

internal sealed partial class SiloServiceState
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} started: serving and a member of the cluster (systemd READY=1 when run as a notify service)")]
    private static partial void LogReady(ILogger logger, string silo);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Silo {Silo} is {Status} in the cluster's membership, not Active: systemd's watchdog restarts it unless it is Active again soon")]
    private static partial void LogNotActive(ILogger logger, string silo, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} is Active in the cluster's membership again")]
    private static partial void LogActiveAgain(ILogger logger, string silo);
}
