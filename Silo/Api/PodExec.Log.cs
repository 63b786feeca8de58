namespace Granary.Silo.Api;

internal static partial class PodExec
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} in {Namespace}/{Pod} container {Container}: relaying to the agent of node {Node} ({Protocol})")]
    private static partial void LogRelaying(ILogger logger, string kind, string @namespace, string pod, string container, string node, string protocol);
}
