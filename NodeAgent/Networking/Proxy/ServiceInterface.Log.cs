using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

public sealed partial class ServiceInterface
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Service interface {Name} is up; cluster IPs are added to it as /32")]
    private static partial void LogCreated(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service interface {Name} could not be deleted: {Error}; remove it by hand (ip link del NAME)")]
    private static partial void LogDeleteFailed(ILogger logger, string name, string error);
}
