using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

public sealed partial class SocketProxy
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Service proxy: listening for {Listener}")]
    private static partial void LogOpened(ILogger logger, string listener);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service proxy: closed {Listener}; its open connections go on")]
    private static partial void LogClosed(ILogger logger, string listener);
}
