using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Runtime.Process;

public sealed partial class ProcessRuntime
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created container {Name} ({Id}) running {Command}")]
    private static partial void LogCreated(ILogger logger, string name, string id, string command);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started container {Id} as pid {Pid}")]
    private static partial void LogStarted(ILogger logger, string id, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {Id} exited with code {ExitCode}")]
    private static partial void LogExited(ILogger logger, string id, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped container {Id} (exit code {ExitCode})")]
    private static partial void LogStopped(ILogger logger, string id, int? exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed container {Id}")]
    private static partial void LogRemoved(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Adopted running container {Id} (pid {Pid})")]
    private static partial void LogAdopted(ILogger logger, string id, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {Id} (pid {Pid}) ended while no agent was running; its exit code is unknown")]
    private static partial void LogGoneWhileAway(ILogger logger, string id, int? pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping {Dir}: its container record cannot be read ({Error}); remove the directory if the container is no longer needed")]
    private static partial void LogUnreadableRecord(ILogger logger, string dir, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Output of container {Id} did not drain within {Seconds}s of its exit: a process it started keeps its output open")]
    private static partial void LogOutputNotDrained(ILogger logger, string id, double seconds);
}
