using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>
/// The engine's <c>/events</c> stream for one set of labels: every change to a container drops its cached inspect, and
/// a death or removal tells the follower. The cache is trusted only while the stream is up (<see cref="Live"/>): when
/// it breaks the cache is cleared, lists inspect every container again, and the stream is reopened after a pause. Each
/// (re)connection asks for the events since a moment before it, so none falls between the connection and the first
/// read.
/// </summary>
internal sealed partial class DockerEventStream(DockerConnection connection, InspectCache inspections, ILogger logger)
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);
    // Replayed on (re)connection: events the engine emitted while the request was on its way.
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(2);

    // What changes a container's state as the sync loop reads it; exec, attach and resize events (probes, kubectl) do not.
    private static readonly string[] StateEvents = ["start", "die", "oom", "destroy", "pause", "unpause", "update", "rename"];
    // What the follower must act on: a container of a pod is gone or no longer runs.
    private static readonly HashSet<string> ActOn = new(StringComparer.Ordinal) { "die", "destroy", "pause" };

    private int _live;

    /// <summary>True while the stream is open: cached inspects are then as fresh as the events.</summary>
    public bool Live => Volatile.Read(ref _live) == 1;

    public async Task FollowAsync(IReadOnlyDictionary<string, string> labels, Action changed, CancellationToken ct)
    {
        var failing = false;
        while (!ct.IsCancellationRequested)
        {
            var parameters = new ContainerEventsParameters
            {
                Since = DockerMapping.ToUnixSince(DateTimeOffset.UtcNow - Overlap),
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["event"] = StateEvents.ToDictionary(e => e, _ => true),
                    ["label"] = labels.ToDictionary(l => $"{l.Key}={l.Value}", _ => true),
                },
            };
            Volatile.Write(ref _live, 1);
            changed();
            try
            {
                await connection.StreamAsync("events", (client, token) => client.System.MonitorEventsAsync(parameters, new Relay(inspections, changed), token), ct);
                // The engine closed the stream (it is stopping): open it again once it answers.
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (RuntimeException e)
            {
                if (!failing)
                    LogStreamFailed(logger, e.Message);
                failing = true;
            }
            finally
            {
                Volatile.Write(ref _live, 0);
                inspections.Clear();
            }
            try
            {
                await Task.Delay(RetryPause, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Handles each event on the reading thread, in order (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class Relay(InspectCache inspections, Action changed) : IProgress<Message>
    {
        public void Report(Message value)
        {
            var id = value.Actor?.ID is { Length: > 0 } actor ? actor : value.ID;
            if (string.IsNullOrEmpty(id))
                return;
            inspections.Changed(id);
            if (value.Action is { } action && ActOn.Contains(action))
                changed();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The engine's events stream broke ({Reason}); listing inspects every container until it is back")]
    private static partial void LogStreamFailed(ILogger logger, string reason);
}
