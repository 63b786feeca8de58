using System.Collections.Immutable;
using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// The node agent, as its <see cref="INodeAgentGrain"/> sees it. Subscriptions are not durable (they vanish with the grain's silo
/// or the agent's gateway), so the agent re-subscribes on a timer and resyncs from a full snapshot.
/// </summary>
[Alias("granary.INodeAgentObserver")]
public interface INodeAgentObserver : IGrainObserver
{
    /// <summary>A pod bound to this node changed (created, bound, marked for deletion). Only a hint: the agent re-reads.</summary>
    [Alias("PodChanged"), OneWay]
    Task PodChangedAsync(Pod pod);

    /// <summary>Reads a container's output. With a <see cref="PodLogRequest.SinceTime"/> cursor, callers page through a follow.</summary>
    [Alias("ReadLogs")]
    Task<PodLogChunk> ReadLogsAsync(PodLogRequest request);

    /// <summary>Runs a command in a container and returns its output and exit code.</summary>
    [Alias("Exec")]
    Task<PodExecResult> ExecAsync(PodExecRequest request);

    /// <summary>
    /// A ConfigMap or Secret (<paramref name="kind"/> "ConfigMap" or "Secret") that a pod on this node references changed
    /// or went. Only a hint: the agent re-reads it through <see cref="INodeAgentGrain.ReadPodConfigAsync"/>.
    /// </summary>
    [Alias("PodConfigChanged"), OneWay]
    Task PodConfigChangedAsync(string kind, string @namespace, string name);
}

[GenerateSerializer, Immutable, Alias("granary.PodLogRequest")]
public sealed record PodLogRequest
{
    [Id(0)] public string Namespace { get; init; } = "";
    [Id(1)] public string Pod { get; init; } = "";
    /// <summary>The container; may be omitted for a pod with one container.</summary>
    [Id(2)] public string? Container { get; init; }
    [Id(3)] public int? TailLines { get; init; }
    /// <summary>Lines written after this time (exclusive), the cursor of a follow.</summary>
    [Id(4)] public DateTimeOffset? SinceTime { get; init; }
    /// <summary>Wait up to this long for the first new line (a follow's long poll); zero returns at once.</summary>
    [Id(5)] public TimeSpan Wait { get; init; }
    /// <summary>The previous (terminated) instance of the container, as kubectl logs --previous.</summary>
    [Id(6)] public bool Previous { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PodLogLine")]
public sealed record PodLogLine([property: Id(0)] DateTimeOffset Timestamp, [property: Id(1)] bool Stderr, [property: Id(2)] string Text);

/// <summary>Log lines, and whether the container still runs (false: no more output will come).</summary>
[GenerateSerializer, Immutable, Alias("granary.PodLogChunk")]
public sealed record PodLogChunk(
    [property: Id(0)] ImmutableArray<PodLogLine> Lines,
    [property: Id(1)] bool Running);

[GenerateSerializer, Immutable, Alias("granary.PodExecRequest")]
public sealed record PodExecRequest
{
    [Id(0)] public string Namespace { get; init; } = "";
    [Id(1)] public string Pod { get; init; } = "";
    [Id(2)] public string? Container { get; init; }
    [Id(3)] public ImmutableArray<string> Command { get; init; } = [];
    [Id(4)] public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// What the command reads on its stdin, all of it, given before it starts (empty: stdin is at its end at once).
    /// Exec is not interactive: the input is collected first, the output returned when the command has ended.
    /// </summary>
    [Id(5)] public ImmutableArray<byte> Stdin { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("granary.PodExecResult")]
public sealed record PodExecResult([property: Id(0)] int ExitCode, [property: Id(1)] string Stdout, [property: Id(2)] string Stderr);

/// <summary>One pod's status as the agent observed it.</summary>
[GenerateSerializer, Immutable, Alias("granary.PodStatusReport")]
public sealed record PodStatusReport(
    [property: Id(0)] string Namespace,
    [property: Id(1)] string Name,
    [property: Id(2)] string Uid,
    [property: Id(3)] PodStatus Status);
