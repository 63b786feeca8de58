using System.Collections.Immutable;
using Granary.Model;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>What a report-once event is about: a lasting state is reported once per occurrence, not every pass.</summary>
public enum ReportTopic { Image, Backoff, Config, Deadline, Mount, EnvNames, PullSecrets, Dns }

/// <summary>One report-once slot: a container of the pod (empty for the pod itself) and a topic.</summary>
public readonly record struct ReportKey(string Container, ReportTopic Topic);

/// <summary>The last failed pull of a container's image, and the back-off before the next try.</summary>
public sealed record PullFailure(RestartBackoff Backoff, string Message);

/// <summary>
/// What the agent remembers of one pod between passes, as the planner reads it: a snapshot of its
/// <see cref="PodRecord"/>. Back-off and pull failures are by container name.
/// </summary>
public sealed record PodMemory
{
    public static readonly PodMemory Empty = new();

    public ImmutableDictionary<string, RestartBackoff> Restarts { get; init; } = ImmutableDictionary<string, RestartBackoff>.Empty;
    public ImmutableDictionary<string, PullFailure> PullFailures { get; init; } = ImmutableDictionary<string, PullFailure>.Empty;
    /// <summary>The status last built for the pod (a finished pod stays finished).</summary>
    public PodStatus? LastStatus { get; init; }
    /// <summary>The token last reported per slot (an exited container's id, "never", "backoff").</summary>
    public ImmutableDictionary<ReportKey, string> Reported { get; init; } = ImmutableDictionary<ReportKey, string>.Empty;
    /// <summary>Ids of the pod's containers being stopped beside the loop.</summary>
    public ImmutableHashSet<string> Killing { get; init; } = ImmutableHashSet<string>.Empty;
    /// <summary>The pod's graceful termination is under way.</summary>
    public bool Terminating { get; init; }
}
