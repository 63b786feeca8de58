using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Probes;

public sealed partial class ProbeManager
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Pod {PodUid} container {Container}: {Failure}")]
    private static partial void LogAttemptFailed(ILogger logger, string podUid, string container, string? failure);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Pod {PodUid} container {Container}: {Kind} probe changed the container to started={Started} ready={Ready} live={Live} (last failure: {Failure})")]
    private static partial void LogFlipped(ILogger logger, string podUid, string container, ProbeKind kind, bool started, bool ready, bool live, string? failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A handler of probe changes failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
