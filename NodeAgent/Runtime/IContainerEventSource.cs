namespace Granary.NodeAgent.Runtime;

/// <summary>
/// A driver whose engine says when containers change (Docker's events stream). The sync loop follows it, so a
/// container that dies or is removed outside the agent is acted on at once rather than at the next periodic pass,
/// and the driver can trust what it inspected before while nothing changed.
/// </summary>
public interface IContainerEventSource
{
    /// <summary>
    /// Follows the engine's events about the containers carrying <paramref name="labels"/> until <paramref name="ct"/>
    /// is cancelled, calling <paramref name="changed"/> when one of them died or was removed, and once after every
    /// (re)connection, since changes may have gone unheard meanwhile. Reconnects by itself when the engine goes away;
    /// ends only when cancelled.
    /// </summary>
    Task FollowAsync(IReadOnlyDictionary<string, string> labels, Action changed, CancellationToken ct);
}
