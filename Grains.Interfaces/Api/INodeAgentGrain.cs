using System.Collections.Immutable;
using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// A node agent's link to the control plane (key: the node name): the agent's observer subscription, what is pushed to
/// it (pod changes, ConfigMap/Secret change hints), what it may read (the ConfigMaps and Secrets of its pods), and the
/// logs/exec calls forwarded to it. The Node resource, its lease and the agent's reports stay with <see cref="INodeGrain"/>.
/// The subscription is not durable (it goes with this grain's silo or the agent's gateway): the agent renews it on a
/// timer and resyncs from full snapshots.
/// </summary>
[Alias("granary.INodeAgentGrain")]
public interface INodeAgentGrain : IGrainWithStringKey
{
    /// <summary>Sets the agent to notify (replacing an earlier one). Idempotent; renew it on a timer.</summary>
    [Alias("Subscribe")]
    Task SubscribeAsync(INodeAgentObserver agent);

    /// <summary>A pod bound to this node changed; tells the agent. One-way, from the pod grain; only a hint.</summary>
    [Alias("PodChanged"), OneWay]
    Task PodChangedAsync(Pod pod);

    /// <summary>
    /// The named ConfigMaps and Secrets of <paramref name="namespace"/> that exist, as of a consistent read (missing
    /// ones are absent from the result: the agent reports them as the kubelet does). Forbidden when any name is not
    /// referenced by a pod bound to this node, so a node never receives a Secret it has no pod for. Read-only.
    /// </summary>
    [Alias("ReadPodConfig"), ReadOnly]
    Task<PodConfigObjects> ReadPodConfigAsync(string @namespace, ImmutableArray<string> configMaps, ImmutableArray<string> secrets);

    /// <summary>
    /// A ConfigMap or Secret (<paramref name="kind"/> "ConfigMap" or "Secret") that a pod on this node references was
    /// written or deleted; tells the agent. One-way, from the object's grain; only a hint: the agent re-reads through
    /// <see cref="ReadPodConfigAsync"/>, and also on its periodic resync.
    /// </summary>
    [Alias("PodConfigChanged"), OneWay]
    Task PodConfigChangedAsync(string kind, string @namespace, string name);

    /// <summary>
    /// Forwards a log read to the agent; ServiceUnavailable when no agent is connected. Interleaves with everything: a
    /// follow's long poll waiting at the agent must not hold up the agent's subscription or other reads.
    /// </summary>
    [Alias("ReadLogs"), AlwaysInterleave]
    Task<PodLogChunk> ReadLogsAsync(PodLogRequest request);

    /// <summary>Forwards an exec to the agent. Interleaves with everything, for the reason log reads do.</summary>
    [Alias("Exec"), AlwaysInterleave]
    Task<PodExecResult> ExecAsync(PodExecRequest request);
}

/// <summary>The ConfigMaps and Secrets an agent asked for that exist.</summary>
[GenerateSerializer, Immutable, Alias("granary.PodConfigObjects")]
public sealed record PodConfigObjects(
    [property: Id(0)] ImmutableArray<ConfigMap> ConfigMaps,
    [property: Id(1)] ImmutableArray<Secret> Secrets);
