using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Runtime.Docker;

public sealed partial class DockerRuntime
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created container {Name} ({Id}) from {Image}")]
    private static partial void LogCreated(ILogger logger, string name, string id, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started container {Id}")]
    private static partial void LogStarted(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped container {Id} (grace {GraceSeconds}s)")]
    private static partial void LogStopped(ILogger logger, string id, uint graceSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed container {Id}")]
    private static partial void LogRemoved(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulling image {Image}")]
    private static partial void LogPulling(ILogger logger, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled image {Image}")]
    private static partial void LogPulled(ILogger logger, string image);
}
