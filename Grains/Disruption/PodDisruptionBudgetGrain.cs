using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Grains.Workloads;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Disruption;

/// <summary>
/// Owns one PodDisruptionBudget (key "namespace/name") and is its controller. A pass reads the selected pods and their
/// controllers from the silo's watch cache (consistent reads), lets <see cref="DisruptionPlanner"/> decide and writes the
/// status. Evictions take a disruption here (<see cref="TakeDisruptionAsync"/>): the grain serializes its calls and the
/// store write is checked against the budget's revision, so two evictions can never both take the last disruption.
/// </summary>
public sealed partial class PodDisruptionBudgetGrain(IObjectStore store, TimeProvider time, ILogger<PodDisruptionBudgetGrain> logger,
    WatchCache cache, EventBroadcaster events)
    : ControllerGrain<PodDisruptionBudget>(store, time, logger), IPodDisruptionBudgetGrain
{
    /// <summary>More granted evictions than this waiting for their pods means the controller is not keeping up (kube's MaxDisruptedPodSize).</summary>
    private const int MaxDisruptedPods = 2000;

    /// <summary>A Deployment owns ReplicaSets that own pods: how far up a chain of controllers the scale is looked for.</summary>
    private const int MaxControllerDepth = 4;

    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = "controllermanager" });

    protected override ImmutableList<FieldError> Validate(PodDisruptionBudget resource) => PodDisruptionBudgetValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(PodDisruptionBudget old, PodDisruptionBudget updated) =>
        PodDisruptionBudgetValidation.ValidateUpdate(old, updated);

    // policy/v1's default: a budget naming neither bound keeps one pod.
    protected override PodDisruptionBudget ApplyDefaults(PodDisruptionBudget resource) =>
        resource.Spec is { MinAvailable: null, MaxUnavailable: null }
            ? resource with { Spec = resource.Spec with { MinAvailable = 1 } }
            : resource;

    // Status is the controller's: a create starts from an empty one, as in Kubernetes.
    protected override PodDisruptionBudget PrepareCreate(PodDisruptionBudget resource) => resource with { Status = new PodDisruptionBudgetStatus() };

    protected override PodDisruptionBudget WithSpec(PodDisruptionBudget existing, PodDisruptionBudget desired) => existing with { Spec = desired.Spec };

    protected override PodDisruptionBudget WithStatus(PodDisruptionBudget existing, PodDisruptionBudget desired) => existing with { Status = desired.Status };

    public Task PodsChangedAsync() => ReconcileSoonAsync();

    public async Task TakeDisruptionAsync(string podName, bool dryRun)
    {
        var pdb = Current ?? throw new NotFoundException(Kind.Plural, Name);
        var status = pdb.Status ?? new PodDisruptionBudgetStatus();
        if ((status.ObservedGeneration ?? 0) < (pdb.Metadata.Generation ?? 1))
            throw EvictionErrors.StillProcessing(Name);
        if (status.DisruptionsAllowed < 0)
            throw new ForbiddenException($"poddisruptionbudgets.policy \"{Name}\" is forbidden: pdb disruptions allowed is negative");
        if (status.DisruptedPods?.Count > MaxDisruptedPods)
            throw new ForbiddenException($"poddisruptionbudgets.policy \"{Name}\" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller");
        if (status.DisruptionsAllowed == 0)
            throw EvictionErrors.BudgetExhausted(Name, status.DesiredHealthy, status.CurrentHealthy);
        if (dryRun)
            return;

        var taken = status with
        {
            DisruptionsAllowed = status.DisruptionsAllowed - 1,
            DisruptedPods = (status.DisruptedPods ?? ImmutableSortedDictionary<string, DateTimeOffset>.Empty.WithComparers(StringComparer.Ordinal)).SetItem(podName, Now()),
        };
        if (taken.DisruptionsAllowed == 0)
            taken = DisruptionPlanner.WithAllowedCondition(taken, Now());
        await WriteUpdateAsync(pdb, pdb with { Status = taken });
        LogDisruptionTaken(Logger, Key, podName, taken.DisruptionsAllowed);
    }

    protected override async Task<DateTimeOffset?> ReconcileAsync()
    {
        if (Current is not { Metadata.DeletionTimestamp: null } pdb)
            return null;
        var pods = BudgetSelection.PodsOf(pdb, await cache.ConsistentAsync(ResourceKinds.Pod));
        var scales = await ControllerScalesAsync(pods);
        var plan = DisruptionPlanner.Plan(pdb, pods, r => scales.GetValueOrDefault(r.Uid), Now());

        if (pods.Count == 0)
            _events.Record(pdb, Event.Normal, "NoPods", "No matching pods found");
        if (plan.SyncError is { } error)
        {
            _events.Record(pdb, Event.Warning, "CalculateExpectedPodCountFailed", $"Failed to calculate the number of expected pods: {error}");
            LogSyncFailed(Logger, Key, error);
        }
        if (plan.UnmanagedPods.Count > 0)
        {
            _events.Record(pdb, Event.Warning, "UnmanagedPods",
                $"Pods selected by this PodDisruptionBudget (selector: {LabelSelectorSpec.Format(pdb.Spec.Selector)}) were found to be unmanaged. As a result, "
                + "the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set "
                + "\".spec.minAvailable\" field of the PDB to an integer value.");
        }
        foreach (var name in plan.NotDeleted)
        {
            _events.Record(new ObjectReference { Kind = "Pod", ApiVersion = "v1", Namespace = NamespaceName, Name = name },
                Event.Warning, "NotDeleted", $"Pod was expected by PDB {NamespaceName}/{Name} to be deleted but it wasn't");
        }

        await WriteUpdateAsync(pdb, pdb with { Status = plan.Status });
        // A failed pass is reported once and looked at again when a selected pod changes (as its controller appears or
        // scales), not retried in a loop; otherwise the next look is when a granted eviction's wait runs out.
        return plan.RecheckAt;
    }

    /// <summary>The scale of each controller the pods name, by the controller reference's uid (null when none is found).</summary>
    private async Task<Dictionary<string, ControllerScale?>> ControllerScalesAsync(IReadOnlyList<Pod> pods)
    {
        var scales = new Dictionary<string, ControllerScale?>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (OwnerReferences.ControllerRef(pod.Metadata) is { } controller && !scales.ContainsKey(controller.Uid))
                scales[controller.Uid] = await ScaleOfAsync(controller, MaxControllerDepth);
        }
        return scales;
    }

    /// <summary>
    /// The replicas a controller asks for, read through <see cref="IScalable"/> so that every kind with a scale counts.
    /// A controller that is itself controlled by a scalable one (a Deployment's ReplicaSet) counts at its controller's
    /// scale, as kube's finders resolve a pod of a Deployment to the Deployment.
    /// </summary>
    private async Task<ControllerScale?> ScaleOfAsync(OwnerReference controller, int depth)
    {
        var kind = ResourceKinds.All.FirstOrDefault(k => k.Kind == controller.Kind && Group(k.ApiVersion) == Group(controller.ApiVersion));
        if (kind is null || !kind.Namespaced || depth == 0)
            return null;
        if ((await cache.ConsistentAsync(kind)).Get(kind.KeyOf(NamespaceName, controller.Name)) is not IScalable scalable
            || scalable.Metadata.Uid != controller.Uid)
            return null;
        if (OwnerReferences.ControllerRef(scalable.Metadata) is { } above && await ScaleOfAsync(above, depth - 1) is { } scale)
            return scale;
        return new ControllerScale(controller.Uid, scalable.DesiredReplicas);
    }

    private static string Group(string apiVersion) => apiVersion.Contains('/') ? apiVersion[..apiVersion.IndexOf('/')] : "";

    [LoggerMessage(Level = LogLevel.Information, Message = "PodDisruptionBudget {Key}: eviction of pod {Pod} granted; {Allowed} disruption(s) left")]
    private static partial void LogDisruptionTaken(ILogger logger, string key, string pod, int allowed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PodDisruptionBudget {Key}: {Error}; no disruption is allowed until it is resolved")]
    private static partial void LogSyncFailed(ILogger logger, string key, string error);
}
