using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// The node lifecycle controller (one activation for the cluster, key <see cref="Key"/>): judges every node's lease,
/// turns a node whose agent went silent Unknown, taints it, marks its pods not ready and evicts the pods that do not
/// tolerate its NoExecute taints. Level-triggered: calls only prompt a pass; a reminder reactivates it after a failover.
/// </summary>
[Alias("granary.INodeLifecycleGrain")]
public interface INodeLifecycleGrain : IGrainWithStringKey
{
    public const string Key = "default";

    /// <summary>A node's agent renewed its lease (the node grain's notice). Idempotent and cheap; never waits for a pass.</summary>
    [Alias("LeaseRenewed"), OneWay, AlwaysInterleave]
    Task LeaseRenewedAsync(string node, NodeLeaseInfo lease);

    /// <summary>Prompts a pass soon (a node was created, changed or deleted). Idempotent; wake-ups coalesce.</summary>
    [Alias("Wake"), OneWay, AlwaysInterleave]
    Task WakeAsync();
}

/// <summary>
/// An agent's lease on its node: who holds it, when it was last renewed and for how long it holds (the duration the
/// agent asked for, capped by the silo's grace period).
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.NodeLeaseInfo")]
public sealed record NodeLeaseInfo(
    [property: Id(0)] string Holder,
    [property: Id(1)] DateTimeOffset RenewTime,
    [property: Id(2)] TimeSpan Duration)
{
    public DateTimeOffset Expiry => RenewTime + Duration;
}
