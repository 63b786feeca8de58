using System.Collections.Immutable;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Disruption;

/// <summary>The controller of a pod, as a disruption budget counts it: its uid and the replicas it asks for.</summary>
public sealed record ControllerScale(string Uid, int Replicas);

/// <summary>
/// What one pass of a budget's controller decided: the status to write, when to look again (a granted eviction whose
/// pod has not gone yet runs out), and what to report (pods without a controller, pods an eviction was granted for that
/// did not go, a failed sync).
/// </summary>
public sealed record DisruptionPlan(
    PodDisruptionBudgetStatus Status,
    DateTimeOffset? RecheckAt,
    ImmutableList<string> UnmanagedPods,
    ImmutableList<string> NotDeleted,
    string? SyncError);

/// <summary>
/// Kube's disruption controller for one budget, as a pure function (pkg/controller/disruption: getExpectedPodCount,
/// buildDisruptedPodMap, countHealthyPods, updatePdbStatus, failSafe): from the budget, the pods its selector matches,
/// the scale of their controllers and the clock, the status the budget should have.
/// </summary>
public static class DisruptionPlanner
{
    /// <summary>How long a pod an eviction was granted for is not counted, waiting for it to go (kube's DeletionTimeout).</summary>
    public static readonly TimeSpan DeletionTimeout = TimeSpan.FromMinutes(2);

    /// <param name="pdb">The budget as stored.</param>
    /// <param name="pods">Every pod of the budget's namespace its selector matches, finished and deleting ones included.</param>
    /// <param name="controllerOf">The scale of a pod's controller reference; null when no such scalable controller exists.</param>
    /// <param name="now">The clock, in whole seconds.</param>
    public static DisruptionPlan Plan(PodDisruptionBudget pdb, IReadOnlyList<Pod> pods, Func<OwnerReference, ControllerScale?> controllerOf, DateTimeOffset now)
    {
        var old = pdb.Status ?? new PodDisruptionBudgetStatus();
        var (expected, desired, unmanaged, error) = ExpectedCounts(pdb.Spec, pods, controllerOf);
        if (error is not null)
            return new DisruptionPlan(FailSafe(old, error, now), null, unmanaged, [], error);

        var (disrupted, recheckAt, notDeleted) = DisruptedPods(old.DisruptedPods, pods, now);
        var healthy = pods.Count(p => p.Metadata.DeletionTimestamp is null && !disrupted.ContainsKey(p.Metadata.Name ?? "") && PodReadiness.IsReady(p));
        // A budget that expects no pods allows nothing, so pods appearing before its next pass are safe.
        var allowed = expected <= 0 ? 0 : Math.Max(0, healthy - desired);
        var generation = pdb.Metadata.Generation ?? 1;
        var status = new PodDisruptionBudgetStatus
        {
            ObservedGeneration = generation,
            DisruptedPods = disrupted.Count == 0 ? null : disrupted,
            DisruptionsAllowed = allowed,
            CurrentHealthy = healthy,
            DesiredHealthy = desired,
            ExpectedPods = expected,
            Conditions = old.Conditions,
        };
        status = WithAllowedCondition(status, now);
        return new DisruptionPlan(status, recheckAt, unmanaged, notDeleted, null);
    }

    /// <summary>The DisruptionAllowed condition as the status's disruptionsAllowed says (kube's UpdateDisruptionAllowedCondition).</summary>
    public static PodDisruptionBudgetStatus WithAllowedCondition(PodDisruptionBudgetStatus status, DateTimeOffset now) =>
        status with
        {
            Conditions = SetCondition(status.Conditions, new Condition
            {
                Type = PodDisruptionBudgetStatus.DisruptionAllowed,
                Status = status.DisruptionsAllowed > 0 ? "True" : "False",
                Reason = status.DisruptionsAllowed > 0 ? PodDisruptionBudgetStatus.SufficientPods : PodDisruptionBudgetStatus.InsufficientPods,
                ObservedGeneration = status.ObservedGeneration,
            }, now),
        };

    /// <summary>
    /// How many pods the budget expects and how many must stay healthy. A count in minAvailable counts the selected pods;
    /// maxUnavailable and a percentage count the replicas their controllers ask for (each controller once).
    /// </summary>
    private static (int Expected, int Desired, ImmutableList<string> Unmanaged, string? Error) ExpectedCounts(
        PodDisruptionBudgetSpec spec, IReadOnlyList<Pod> pods, Func<OwnerReference, ControllerScale?> controllerOf)
    {
        if (spec.MaxUnavailable is { } maxUnavailable)
        {
            var (expected, unmanaged, error) = ExpectedScale(pods, controllerOf);
            if (error is not null)
                return (0, 0, unmanaged, error);
            return (expected, Math.Max(0, expected - RolloutLimits.Scaled(maxUnavailable, expected, roundUp: true)), unmanaged, null);
        }
        if (spec.MinAvailable is { IsInt: true } count)
            return (pods.Count, count.IntValue!.Value, [], null);
        if (spec.MinAvailable is { } percent)
        {
            var (expected, unmanaged, error) = ExpectedScale(pods, controllerOf);
            if (error is not null)
                return (0, 0, unmanaged, error);
            return (expected, RolloutLimits.Scaled(percent, expected, roundUp: true), unmanaged, null);
        }
        return (0, 0, [], null);
    }

    /// <summary>
    /// The sum of the scales of the pods' controllers. Pods without a controller are left out and reported (kube warns
    /// with an UnmanagedPods event); a controller that cannot be found fails the pass.
    /// </summary>
    private static (int Expected, ImmutableList<string> Unmanaged, string? Error) ExpectedScale(IReadOnlyList<Pod> pods, Func<OwnerReference, ControllerScale?> controllerOf)
    {
        var scales = new Dictionary<string, int>(StringComparer.Ordinal);
        var unmanaged = ImmutableList.CreateBuilder<string>();
        foreach (var pod in pods)
        {
            if (OwnerReferences.ControllerRef(pod.Metadata) is not { } controller)
            {
                unmanaged.Add(pod.Metadata.Name ?? "");
                continue;
            }
            if (controllerOf(controller) is not { } scale)
                return (0, unmanaged.ToImmutable(), $"found no controllers for pod \"{pod.Metadata.Name}\"");
            scales[scale.Uid] = scale.Replicas;
        }
        return (scales.Values.Sum(), unmanaged.ToImmutable(), null);
    }

    /// <summary>
    /// The granted evictions still awaited: pods in the list that exist, are not being deleted yet, and whose two
    /// minutes have not run out; the earliest time one runs out; and the pods that outlived it.
    /// </summary>
    private static (ImmutableSortedDictionary<string, DateTimeOffset> Kept, DateTimeOffset? RecheckAt, ImmutableList<string> NotDeleted) DisruptedPods(
        ImmutableSortedDictionary<string, DateTimeOffset>? granted, IReadOnlyList<Pod> pods, DateTimeOffset now)
    {
        var kept = ImmutableSortedDictionary.CreateBuilder<string, DateTimeOffset>(StringComparer.Ordinal);
        var notDeleted = ImmutableList.CreateBuilder<string>();
        DateTimeOffset? recheckAt = null;
        if (granted is null)
            return (kept.ToImmutable(), null, []);
        foreach (var pod in pods)
        {
            var name = pod.Metadata.Name ?? "";
            if (pod.Metadata.DeletionTimestamp is not null || !granted.TryGetValue(name, out var at))
                continue;
            var expectedDeletion = at + DeletionTimeout;
            if (expectedDeletion < now)
            {
                notDeleted.Add(name);
                continue;
            }
            kept[name] = at;
            if (recheckAt is null || expectedDeletion < recheckAt)
                recheckAt = expectedDeletion;
        }
        return (kept.ToImmutable(), recheckAt, notDeleted.ToImmutable());
    }

    /// <summary>After a failed pass: nothing may be disrupted, and the condition says why (kube's failSafe).</summary>
    private static PodDisruptionBudgetStatus FailSafe(PodDisruptionBudgetStatus old, string error, DateTimeOffset now) =>
        old with
        {
            DisruptionsAllowed = 0,
            Conditions = SetCondition(old.Conditions, new Condition
            {
                Type = PodDisruptionBudgetStatus.DisruptionAllowed,
                Status = "False",
                Reason = PodDisruptionBudgetStatus.SyncFailed,
                Message = error,
                ObservedGeneration = old.ObservedGeneration,
            }, now),
        };

    /// <summary>
    /// Sets a condition as apimachinery's SetStatusCondition does: the transition time changes only when the status
    /// does; reason, message and observedGeneration are always taken.
    /// </summary>
    private static ImmutableList<Condition> SetCondition(ImmutableList<Condition>? conditions, Condition wanted, DateTimeOffset now)
    {
        conditions ??= [];
        var index = conditions.FindIndex(c => c.Type == wanted.Type);
        if (index < 0)
            return conditions.Add(wanted with { LastTransitionTime = now });
        var existing = conditions[index];
        var transitioned = existing.Status != wanted.Status || existing.LastTransitionTime is null;
        return conditions.SetItem(index, wanted with { LastTransitionTime = transitioned ? now : existing.LastTransitionTime });
    }
}
