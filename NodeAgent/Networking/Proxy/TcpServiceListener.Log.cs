using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

internal sealed partial class TcpServiceListener
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Service {Listener}: accept failed ({Error}); still listening")]
    private static partial void LogAcceptFailed(ILogger logger, string listener, SocketError error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Service {Listener}: no ready endpoint; connection refused")]
    private static partial void LogNoEndpoints(ILogger logger, string listener);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service {Listener}: all {Count} endpoints refused; connection reset")]
    private static partial void LogAllRefused(ILogger logger, string listener, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Service {Listener}: endpoint {Endpoint} refused ({Reason}); trying the next")]
    private static partial void LogEndpointRefused(ILogger logger, string listener, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Listener}: connection refused: {Reason}")]
    private static partial void LogCatalogUnavailable(ILogger logger, string listener, string reason);
}
