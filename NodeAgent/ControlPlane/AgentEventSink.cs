using Granary.Events;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.ControlPlane;

/// <summary>
/// Sends the agent's events to its Node grain, which writes those about the node and its own pods. While the
/// control plane is unreachable the write fails and the broadcaster retries, then drops the batch: events are
/// best-effort, and pods keep running regardless.
/// </summary>
public sealed partial class AgentEventSink(ControlPlaneLink link, ILogger<AgentEventSink> logger) : IEventSink
{
    public async Task WriteAsync(IReadOnlyList<Event> events, CancellationToken ct)
    {
        var node = link.Node ?? throw new InvalidOperationException("the control plane is not connected");
        var refused = await node.RecordEventsAsync([.. events]).WaitAsync(ct);
        // Refused events (a pod no longer bound here, …) would be refused again: report, do not retry.
        foreach (var reason in refused)
            LogRefused(logger, reason);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event not recorded: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
