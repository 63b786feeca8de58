using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.Disruption;
using Granary.Grains.Nodes;
using Granary.Grains.Services;
using Granary.Grains.ServiceAccounts;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Grains.Workloads;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Resources;

/// <summary>Owns one pod (key "namespace/name"): spec, status, its binding to a node and graceful deletion.</summary>
public sealed class PodGrain(IObjectStore store, TimeProvider time, ILogger<PodGrain> logger, WatchCache cache, IOptions<NodeLifecycleOptions> lifecycle)
    : ResourceGrain<Pod>(store, time, logger), IPodGrain
{
    public const string PodScheduled = "PodScheduled";

    /// <summary>The condition the eviction API sets on a pod it deletes (kube's DisruptionTarget).</summary>
    public const string DisruptionTarget = "DisruptionTarget";

    protected override ImmutableList<FieldError> Validate(Pod resource) => PodValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(Pod old, Pod updated) => PodValidation.ValidateUpdate(old, updated);

    protected override Pod ApplyDefaults(Pod resource) =>
        DefaultTolerationSeconds.Apply(PodDefaults.Apply(resource), lifecycle.Value.DefaultNotReadyTolerationSeconds, lifecycle.Value.DefaultUnreachableTolerationSeconds);

    // kube's ServiceAccount admission: the ServiceAccount must exist (read from this silo's watch cache, the grain only
    // on a miss), and its token, CA and namespace are mounted.
    protected override async Task<Pod> AdmitAsync(Pod resource)
    {
        // kube's order: NamespaceLifecycle admits first, so a missing or terminating namespace is what the caller hears,
        // not the ServiceAccount that is missing with it.
        await GrainFactory.GetGrain<INamespaceGrain>(resource.Metadata.Namespace!).AssertAcceptsContentAsync();
        return await ServiceAccountAdmission.AdmitAsync(GrainFactory, cache.For(ResourceKinds.ServiceAccount), resource);
    }

    // The namespace was asked at admission (above); asking again before the write would cost every pod create a
    // second namespace call for nothing.
    protected override Task BeforeCreateAsync(Pod resource) => Task.CompletedTask;

    // Users do not write a pod's status at create; it starts Pending, with its QoS class, as in Kubernetes.
    protected override Pod PrepareCreate(Pod resource) =>
        resource with { Status = new PodStatus { Phase = "Pending", QosClass = PodQos.Of(resource.Spec) } };

    // The scheduler's binding is not the user's to undo: an update without nodeName keeps it; nor is the token volume
    // admission mounted.
    protected override Pod WithSpec(Pod existing, Pod desired) =>
        existing with { Spec = ServiceAccountAdmission.KeepAdmitted(existing.Spec, desired.Spec with { NodeName = desired.Spec.NodeName ?? existing.Spec.NodeName }) };

    protected override Pod WithStatus(Pod existing, Pod desired) => existing with { Status = KeepQos(existing, desired.Status) };

    // The QoS class is fixed at creation (a pod's resources cannot change): a status write never clears or alters it.
    private static PodStatus? KeepQos(Pod existing, PodStatus? status) =>
        existing.Status?.QosClass is { } qos ? (status ?? new PodStatus()) with { QosClass = qos } : status;

    protected override async Task AfterWriteAsync(Pod? before, Pod? after)
    {
        // The node's agent hears of every change to a pod bound to it, including its removal.
        if ((after ?? before)?.Spec.NodeName is { } node)
            await GrainFactory.GetGrain<INodeAgentGrain>(node).PodChangedAsync(after ?? WithDeletionMark(before!));

        // Its controller counts it (a pod released or adopted concerns the old controller and the new one).
        foreach (var owner in new[] { before, after }.Select(p => p is null ? null : OwnerReferences.ControllerRef(p.Metadata))
                     .OfType<OwnerReference>().DistinctBy(o => o.Uid))
        {
            if (PodControllers.Grain(GrainFactory, NamespaceName!, owner) is { } controller)
                await controller.PodChangedAsync();
        }

        // The scheduler cares when a pod waits for a node, and when one stops holding capacity.
        var pending = after is { Spec.NodeName: null, Metadata.DeletionTimestamp: null };
        var freed = before?.Spec.NodeName is not null && (after is null || after.Status?.Phase is "Succeeded" or "Failed");
        if (pending || freed)
            await GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key).WakeAsync();

        // Services selecting the pod keep their endpoints from its address and readiness.
        await ServiceHints.PodChangedAsync(GrainFactory, cache, before, after);

        // Disruption budgets selecting the pod count its readiness.
        await DisruptionHints.PodChangedAsync(GrainFactory, cache, before, after);
    }

    protected override async Task<bool> NeedsGracefulDeletionAsync(Pod resource, DeleteOptions options)
    {
        // Only a running agent can stop containers; with none, there is nothing to wait for.
        var grace = options.GracePeriodSeconds ?? resource.Metadata.DeletionGracePeriodSeconds ?? resource.Spec.TerminationGracePeriodSeconds ?? 30;
        if (resource.Spec.NodeName is not { } node || grace <= 0 || resource.Status?.Phase is "Succeeded" or "Failed")
            return false;
        return await GrainFactory.GetGrain<INodeGrain>(node).HasLiveAgentAsync();
    }

    protected override ObjectMeta MarkDeleting(Pod resource, DeleteOptions options)
    {
        var grace = options.GracePeriodSeconds ?? resource.Spec.TerminationGracePeriodSeconds ?? 30;
        return resource.Metadata with { DeletionTimestamp = Now().AddSeconds(grace), DeletionGracePeriodSeconds = grace };
    }

    public async Task<Pod> BindAsync(string nodeName, string expectedUid)
    {
        var pod = Current ?? throw new NotFoundException(Kind.Plural, Name);
        if (pod.Metadata.Uid != expectedUid)
            throw new ConflictException(Kind.Plural, Name, $"the pod was replaced (uid {pod.Metadata.Uid}, expected {expectedUid})");
        if (pod.Spec.NodeName == nodeName)
            return pod;
        if (pod.Spec.NodeName is { } other)
            throw new ConflictException(Kind.Plural, Name, $"pod {Name} is already assigned to node \"{other}\"");
        if (pod.Metadata.DeletionTimestamp is not null)
            throw new ConflictException(Kind.Plural, Name, "the pod is being deleted");

        var bound = pod with
        {
            Spec = pod.Spec with { NodeName = nodeName },
            Status = (pod.Status ?? new PodStatus()) with
            {
                Conditions = SetCondition(pod.Status?.Conditions, new PodCondition { Type = PodScheduled, Status = "True", LastTransitionTime = Now() }),
            },
        };
        return await WriteUpdateAsync(pod, bound) ?? pod;
    }

    public async Task<bool> MarkUnschedulableAsync(string expectedUid, string message)
    {
        if (Current is not { } pod || pod.Metadata.Uid != expectedUid || pod.Spec.NodeName is not null || pod.Metadata.DeletionTimestamp is not null)
            return false;
        var existing = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == PodScheduled);
        if (existing is { Status: "False", Reason: "Unschedulable" } && existing.Message == message)
            return false;
        var marked = pod with
        {
            Status = (pod.Status ?? new PodStatus()) with
            {
                Phase = "Pending",
                Conditions = SetCondition(pod.Status?.Conditions, new PodCondition
                {
                    Type = PodScheduled, Status = "False", Reason = "Unschedulable", Message = message, LastTransitionTime = Now(),
                }),
            },
        };
        return await WriteUpdateAsync(pod, marked) is not null;
    }

    public async Task ReportStatusAsync(string nodeName, string expectedUid, PodStatus status)
    {
        var pod = Current ?? throw new NotFoundException(Kind.Plural, Name);
        if (pod.Spec.NodeName != nodeName)
            throw new ForbiddenException($"node \"{nodeName}\" cannot modify pod {NamespaceName}/{Name}: it is bound to \"{pod.Spec.NodeName}\"");
        if (pod.Metadata.Uid != expectedUid)
            throw new ConflictException(Kind.Plural, Name, $"the pod was replaced (uid {pod.Metadata.Uid}, reported {expectedUid})");
        // The scheduler's condition is the scheduler's, and DisruptionTarget the eviction API's: kept unless the agent
        // reports its own (the kubelet merges the conditions it does not own the same way).
        var conditions = status.Conditions ?? [];
        if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == PodScheduled) is { } scheduled && !conditions.Any(c => c.Type == PodScheduled))
            conditions = conditions.Insert(0, scheduled);
        if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == DisruptionTarget) is { } disruption && !conditions.Any(c => c.Type == DisruptionTarget))
            conditions = conditions.Add(disruption);
        await WriteUpdateAsync(pod, pod with { Status = KeepQos(pod, status with { Conditions = conditions }) });
    }

    public async Task<Pod> MarkDisruptedAndDeleteAsync(DeleteOptions options, bool dryRun)
    {
        var pod = Current ?? throw new NotFoundException(Kind.Plural, Name);
        CheckPreconditions(pod, options);
        if (dryRun)
            return pod;
        var marked = pod with
        {
            Status = (pod.Status ?? new PodStatus()) with
            {
                Conditions = SetCondition(pod.Status?.Conditions, new PodCondition
                {
                    Type = DisruptionTarget, Status = "True", Reason = "EvictionByEvictionAPI", Message = "Eviction API: evicting", LastTransitionTime = Now(),
                }),
            },
        };
        await WriteUpdateAsync(pod, marked);
        // The version checked above is the one just replaced by the mark; the uid still pins the pod.
        return await DeleteAsync(options with { PreconditionResourceVersion = null });
    }

    public Task<PodLogChunk> ReadLogsAsync(PodLogRequest request)
    {
        var (node, container) = Target(request.Container);
        return GrainFactory.GetGrain<INodeAgentGrain>(node).ReadLogsAsync(request with { Namespace = NamespaceName!, Pod = Name, Container = container });
    }

    public Task<PodExecResult> ExecAsync(PodExecRequest request)
    {
        if (request.Command.IsDefaultOrEmpty)
            throw new BadRequestException("you must specify at least one command for the container");
        var (node, container) = Target(request.Container);
        return GrainFactory.GetGrain<INodeAgentGrain>(node).ExecAsync(request with { Namespace = NamespaceName!, Pod = Name, Container = container });
    }

    /// <summary>The node and container a logs or exec request goes to, with kubectl's wording when it cannot.</summary>
    private (string Node, string Container) Target(string? container)
    {
        var pod = Current ?? throw new NotFoundException(Kind.Plural, Name);
        var names = (pod.Spec.Containers ?? []).Select(c => c.Name).ToList();
        if (string.IsNullOrEmpty(container))
        {
            if (names.Count != 1)
                throw new BadRequestException($"a container name must be specified for pod {Name}, choose one of: [{string.Join(" ", names)}]");
            container = names[0];
        }
        // Init containers (sidecars included) have logs and can be exec'd into too, but are never the default.
        else if (!names.Contains(container) && !(pod.Spec.InitContainers ?? []).Any(c => c.Name == container))
        {
            throw new BadRequestException($"container {container} is not valid for pod {Name}");
        }
        var node = pod.Spec.NodeName ?? throw new BadRequestException($"pod {Name} does not have a host assigned yet: none of its containers runs until it is scheduled to a node");
        return (node, container);
    }

    private Pod WithDeletionMark(Pod pod) =>
        pod with { Metadata = pod.Metadata with { DeletionTimestamp = pod.Metadata.DeletionTimestamp ?? Now() } };

    /// <summary>Replaces the condition of the same type, keeping its transition time when the status is unchanged.</summary>
    private static ImmutableList<PodCondition> SetCondition(ImmutableList<PodCondition>? conditions, PodCondition condition)
    {
        var list = conditions ?? [];
        var index = list.FindIndex(c => c.Type == condition.Type);
        if (index < 0)
            return list.Add(condition);
        var old = list[index];
        return list.SetItem(index, old.Status == condition.Status ? condition with { LastTransitionTime = old.LastTransitionTime } : condition);
    }
}
