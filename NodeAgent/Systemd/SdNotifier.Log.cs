using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Systemd;

public sealed partial class SdNotifier
{
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "NOTIFY_SOCKET={Socket} is not a socket path or an '@' abstract name: systemd will not hear from the agent")]
    private static partial void LogUnsupportedSocket(ILogger logger, string socket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd notification {State} not delivered to {Socket}: {Error}")]
    private static partial void LogFailed(ILogger logger, string state, string socket, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "systemd notification {State} not delivered to {Socket}: {Error}")]
    private static partial void LogStillFailing(ILogger logger, string state, string socket, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd notifications reach {Socket} again")]
    private static partial void LogDeliveredAgain(ILogger logger, string socket);
}
