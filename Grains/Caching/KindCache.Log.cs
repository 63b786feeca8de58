using Microsoft.Extensions.Logging;

namespace Granary.Grains.Caching;

public sealed partial class KindCache
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Watch cache for {Kind} listed {Count} objects at revision {Revision}")]
    private static partial void LogListed(ILogger logger, string kind, int count, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch cache for {Kind} fell behind the store's event history at revision {Revision}; listing again")]
    private static partial void LogFellBehind(ILogger logger, string kind, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch cache for {Kind} drops its objects (at revision {Revision}) because the store lost data; listing again, and watches from before get 410 Gone")]
    private static partial void LogDataLost(ILogger logger, string kind, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch cache for {Kind} could not read the store; retrying in {Backoff}")]
    private static partial void LogFeedFailed(ILogger logger, Exception exception, string kind, TimeSpan backoff);
}
