using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Dns;

public sealed partial class ClusterDnsServer
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster DNS on {Endpoint} (UDP and TCP) for {Domain}; other names go to {Upstreams}")]
    private static partial void LogServing(ILogger logger, string endpoint, string domain, string upstreams);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster DNS is off: the server {Reason}. Pods get the host's resolv.conf and a MissingClusterDNS event "
        + "until the agent restarts with the port free (stop the resolver holding it, e.g. dnsmasq or a DNS server on the wildcard address), "
        + "run as root or with CAP_NET_BIND_SERVICE for port {Port} below 1024, or choose another --node-ip")]
    private static partial void LogCannotBind(ILogger logger, string reason, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster DNS: a query failed")]
    private static partial void LogQueryFailed(ILogger logger, Exception exception);
}
