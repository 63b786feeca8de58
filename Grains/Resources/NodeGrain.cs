using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

/// <summary>
/// Owns one node (key: the node name): capacity, conditions, taints, and the lease its agent renews.
/// The lease lives in grain storage, apart from the Node object, so heartbeats do not flood watchers
/// (Kubernetes keeps node leases as separate Lease objects for the same reason).
/// </summary>
public sealed class NodeGrain(
    IObjectStore store,
    TimeProvider time,
    ILogger<NodeGrain> logger,
    [PersistentState(NodeLease.StateName, StorageNames.Default)] IPersistentState<NodeLease> lease)
    : ResourceGrain<Node>(store, time, logger), INodeGrain
{
    protected override ImmutableList<FieldError> Validate(Node resource) => NodeValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(Node old, Node updated) => NodeValidation.ValidateUpdate(old, updated);

    // A node registers with its status (capacity, conditions); allocatable defaults to capacity.
    protected override Node PrepareCreate(Node resource) =>
        resource.Status is { Allocatable: null, Capacity: not null } status
            ? resource with { Status = status with { Allocatable = status.Capacity } }
            : resource;

    protected override Node WithSpec(Node existing, Node desired) => existing with { Spec = desired.Spec };

    protected override Node WithStatus(Node existing, Node desired) => existing with { Status = desired.Status };

    protected override Task AfterWriteAsync(Node? before, Node? after) =>
        GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key).WakeAsync();

    public async Task RenewLeaseAsync(string holder, TimeSpan duration)
    {
        if (Current is null)
            throw new NotFoundException(Kind.Plural, Name);
        lease.State = new NodeLease { Holder = holder, RenewTime = Time.GetUtcNow(), Duration = duration };
        await lease.WriteStateAsync();
    }

    public Task<bool> HasLiveAgentAsync() =>
        Task.FromResult(lease.RecordExists && lease.State.RenewTime + lease.State.Duration > Time.GetUtcNow());
}

/// <summary>The agent's lease on its node.</summary>
[GenerateSerializer, Alias("granary.NodeLease")]
public sealed class NodeLease
{
    public const string StateName = "lease";

    [Id(0)] public string Holder { get; set; } = "";
    [Id(1)] public DateTimeOffset RenewTime { get; set; }
    [Id(2)] public TimeSpan Duration { get; set; }
}
