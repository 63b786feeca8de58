using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>Owns one pod: its spec, status, binding to a node and graceful deletion.</summary>
[Alias("granary.IPodGrain")]
public interface IPodGrain : IResourceGrain<Pod>
{
    /// <summary>
    /// Binds the pod to a node (the scheduler's write). Fails with Conflict if the pod is already bound
    /// elsewhere, is being deleted, or no longer has <paramref name="expectedUid"/>. Idempotent for the same node.
    /// </summary>
    [Alias("Bind")]
    Task<Pod> BindAsync(string nodeName, string expectedUid);

    /// <summary>
    /// Records why the pod cannot be scheduled (PodScheduled=False, reason Unschedulable). Writes only when the
    /// message changed, so repeated scheduling passes do not produce events. Ignored once the pod is bound.
    /// </summary>
    [Alias("MarkUnschedulable")]
    Task MarkUnschedulableAsync(string expectedUid, string message);
}

/// <summary>Owns one node: capacity, conditions, taints, and the lease its agent renews.</summary>
[Alias("granary.INodeGrain")]
public interface INodeGrain : IResourceGrain<Node>
{
    /// <summary>The agent's heartbeat. Idempotent; keeps the node's lease fresh.</summary>
    [Alias("RenewLease")]
    Task RenewLeaseAsync(string holder, TimeSpan duration);

    /// <summary>Whether an agent holds an unexpired lease on this node.</summary>
    [Alias("HasLiveAgent"), ReadOnly]
    Task<bool> HasLiveAgentAsync();
}

/// <summary>Owns one namespace; deleting it deletes everything in it.</summary>
[Alias("granary.INamespaceGrain")]
public interface INamespaceGrain : IResourceGrain<Namespace>
{
    /// <summary>
    /// Succeeds when objects may be created in this namespace; throws NotFound when it does not exist and
    /// Forbidden while it is being deleted. Read-only.
    /// </summary>
    [Alias("AssertAcceptsContent"), ReadOnly]
    Task AssertAcceptsContentAsync();
}
