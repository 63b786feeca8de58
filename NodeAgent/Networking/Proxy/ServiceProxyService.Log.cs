using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

public sealed partial class ServiceProxyService
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Service}: cluster IP {ClusterIP} is not reachable on this node: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string service, string clusterIP, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service proxy: cannot listen for {Listener}: {Reason}; retried every 30 s")]
    private static partial void LogListenFailed(ILogger logger, string listener, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service interface {Name}: {Error}")]
    private static partial void LogInterfaceFailed(ILogger logger, string name, string error);
}
