using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

internal sealed partial class UdpServiceListener
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Service {Listener}: no ready endpoint; datagram from {Client} dropped")]
    private static partial void LogNoEndpoints(ILogger logger, string listener, string client);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Service {Listener}: endpoint {Endpoint} refused a datagram; the flow is closed")]
    private static partial void LogEndpointRefused(ILogger logger, string listener, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Listener}: datagram dropped: {Reason}")]
    private static partial void LogCatalogUnavailable(ILogger logger, string listener, string reason);
}
