using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy.Splice;

internal sealed partial class SpliceLoop
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Spliced TCP relay: the epoll loop failed; its connections were reset")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spliced TCP relay: connection {Connection} reset, it could not be set up: {Reason}")]
    private static partial void LogOpenFailed(ILogger logger, long connection, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Spliced TCP relay: connection {Connection} reset after {Call} failed ({Error})")]
    private static partial void LogConnectionReset(ILogger logger, long connection, string call, string error);
}
