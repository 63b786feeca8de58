using System.Collections.Immutable;
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
    /// Returns whether it wrote (the message is new), so the scheduler reports FailedScheduling once per message.
    /// </summary>
    [Alias("MarkUnschedulable")]
    Task<bool> MarkUnschedulableAsync(string expectedUid, string message);

    /// <summary>
    /// The agent's status write. Forbidden unless the pod is bound to <paramref name="nodeName"/> (a node acts only
    /// for itself); Conflict when the pod was replaced. Writes only when the status changed.
    /// </summary>
    [Alias("ReportStatus")]
    Task ReportStatusAsync(string nodeName, string expectedUid, PodStatus status);

    /// <summary>
    /// The container's output, read from the pod's node agent through its <see cref="INodeAgentGrain"/>. Read-only; interleaves with
    /// everything, because a follow's long poll waits at the agent while the agent's status reports come through this grain.
    /// </summary>
    [Alias("ReadLogs"), AlwaysInterleave]
    Task<PodLogChunk> ReadLogsAsync(PodLogRequest request);

    /// <summary>
    /// Runs a command in one of the pod's containers, through its node agent. Interleaves with everything, as log reads
    /// do: a command running for seconds must not hold up the agent's status reports coming through this grain.
    /// </summary>
    [Alias("Exec"), AlwaysInterleave]
    Task<PodExecResult> ExecAsync(PodExecRequest request);

    /// <summary>
    /// The last step of an eviction (kube's addConditionAndDeletePod): checks the options' preconditions against the pod
    /// as it is, adds the condition DisruptionTarget (reason EvictionByEvictionAPI), then deletes the pod with the
    /// options, all in one turn of this grain. Conflict when a precondition fails; NotFound when the pod is gone. A dry
    /// run checks the preconditions and writes nothing.
    /// </summary>
    [Alias("MarkDisruptedAndDelete")]
    Task<Pod> MarkDisruptedAndDeleteAsync(DeleteOptions options, bool dryRun);
}

/// <summary>
/// Owns one node: capacity, conditions, taints, the lease its agent renews, and what the agent reports (pod statuses,
/// events). The agent's subscription and what is pushed to it live in <see cref="INodeAgentGrain"/>.
/// </summary>
[Alias("granary.INodeGrain")]
public interface INodeGrain : IResourceGrain<Node>
{
    /// <summary>
    /// The agent's heartbeat. Idempotent; keeps the node's lease fresh for <paramref name="duration"/>, capped at the
    /// silo's node monitor grace period. Only the node's own agent renews: a holder other than the node's name is
    /// Forbidden, naming both; a duration that is not positive is a BadRequest.
    /// </summary>
    [Alias("RenewLease")]
    Task RenewLeaseAsync(string holder, TimeSpan duration);

    /// <summary>
    /// Whether an agent holds an unexpired lease on this node. Interleaves with every call: a pod deleted while this
    /// node writes that pod's status (the node grain waiting on the pod grain) must not wait for the node in turn.
    /// </summary>
    [Alias("HasLiveAgent"), ReadOnly, AlwaysInterleave]
    Task<bool> HasLiveAgentAsync();

    /// <summary>The lease as last renewed; null when no agent ever held one. Read-only; interleaves as <see cref="HasLiveAgentAsync"/>.</summary>
    [Alias("GetLease"), ReadOnly, AlwaysInterleave]
    Task<NodeLeaseInfo?> GetLeaseAsync();

    /// <summary>
    /// The agent's registration: creates the node, or updates its status, labels and taints (keeping what an
    /// operator set, such as unschedulable). Idempotent.
    /// </summary>
    [Alias("Register")]
    Task<Node> RegisterAsync(Node node);

    /// <summary>Every pod bound to this node, as of a consistent read: the agent's full desired state.</summary>
    [Alias("AssignedPods"), ReadOnly]
    Task<ImmutableArray<Pod>> GetAssignedPodsAsync();

    /// <summary>Pod statuses observed by the agent, written in parallel. Returns the reports that failed and why.</summary>
    [Alias("ReportPodStatuses")]
    Task<ImmutableArray<string>> ReportPodStatusesAsync(ImmutableArray<PodStatusReport> reports);

    /// <summary>
    /// Events the node's agent observed, written in parallel. A node reports only about itself and the pods bound
    /// to it: any other event is refused. Returns the events that were refused or failed, and why.
    /// </summary>
    [Alias("RecordEvents")]
    Task<ImmutableArray<string>> RecordEventsAsync(ImmutableArray<Event> events);
}

/// <summary>Owns one namespace; deleting it deletes everything in it.</summary>
[Alias("granary.INamespaceGrain")]
public interface INamespaceGrain : IResourceGrain<Namespace>
{
    /// <summary>
    /// Succeeds when objects may be created in this namespace; throws NotFound when it does not exist and
    /// Forbidden while it is being deleted. Read-only, and interleaved with anything: the namespace's clean-up calls
    /// controllers (ReplicaSets, Deployments) that may be creating pods, which ask this very question.
    /// </summary>
    [Alias("AssertAcceptsContent"), ReadOnly, AlwaysInterleave]
    Task AssertAcceptsContentAsync();
}
