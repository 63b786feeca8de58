using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

public abstract partial class ResourceGrain<T>
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Created {Kind} {Key} at revision {Revision}")]
    private static partial void LogCreated(ILogger logger, string kind, string key, long revision);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Kind} {Key} at revision {Revision}")]
    private static partial void LogDeleted(ILogger logger, string kind, string key, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} {Key} was changed behind this activation; reloading")]
    private static partial void LogStale(ILogger logger, string kind, string key);
}
