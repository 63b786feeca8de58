using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Dns;

public sealed partial class ClusterDnsResolver
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "DNS {Name}: SERVFAIL, {Reason}")]
    private static partial void LogEndpointsUnknown(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DNS {Name} {Type}: SERVFAIL, no upstream answered ({Upstreams})")]
    private static partial void LogUpstreamsFailed(ILogger logger, string name, string type, string upstreams);
}
