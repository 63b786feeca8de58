namespace Granary.Silo.Api;

internal static partial class PodExec
{
    [LoggerMessage(Level = LogLevel.Error, Message = "exec in pod {Pod} ({Command}) failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception e, string pod, string command);
}
