using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>One ReplicaSet as the rollout planner sees it: its desired replicas and how many of its pods are available.</summary>
public sealed record ReplicaSetReplicas(string Name, int Replicas, int AvailableReplicas, int ActiveReplicas, DateTimeOffset Created);

/// <summary>What a Deployment wants: its replicas, its strategy and the limits of a rolling update.</summary>
public sealed record RolloutGoal(int Replicas, string Strategy, RolloutLimits Limits, bool Paused = false);

/// <summary>The spec.replicas each ReplicaSet should have after this step (only those that change are listed for old ones).</summary>
public sealed record RolloutPlan(int NewReplicas, ImmutableSortedDictionary<string, int> OldReplicas);

/// <summary>
/// One step of a Deployment's rollout, as Kubernetes' deployment controller takes it, without side effects.
/// RollingUpdate scales the new ReplicaSet up while the total stays within replicas + maxSurge, then scales old ones
/// down (oldest first: unhealthy pods first, then as many as keep replicas - maxUnavailable available). Recreate
/// scales every old ReplicaSet to zero, waits until their pods are gone, then scales the new one up. Scaling a
/// Deployment whose only ReplicaSet is the new one is the same arithmetic: up to replicas, never a new revision.
/// </summary>
public static class RolloutPlanner
{
    /// <param name="goal">the Deployment's desired state.</param>
    /// <param name="newSet">the ReplicaSet of the current template (Replicas 0 when it is about to be created).</param>
    /// <param name="oldSets">every other ReplicaSet the Deployment owns.</param>
    public static RolloutPlan Plan(RolloutGoal goal, ReplicaSetReplicas newSet, IReadOnlyList<ReplicaSetReplicas> oldSets)
    {
        var oldest = oldSets.OrderBy(s => s.Created).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
        if (goal.Paused)
            return PlanPaused(goal, newSet, oldest);
        return goal.Strategy == DeploymentStrategy.RecreateType
            ? PlanRecreate(goal, newSet, oldest)
            : PlanRolling(goal, newSet, oldest);
    }

    private static RolloutPlan PlanRolling(RolloutGoal goal, ReplicaSetReplicas newSet, List<ReplicaSetReplicas> oldSets)
    {
        var newReplicas = NewReplicaSetReplicas(goal, newSet, oldSets);
        var old = oldSets.ToDictionary(s => s.Name, s => s.Replicas, StringComparer.Ordinal);
        var oldTotal = old.Values.Sum();
        if (oldTotal == 0)
            return new RolloutPlan(newReplicas, ImmutableSortedDictionary<string, int>.Empty);

        var minAvailable = goal.Replicas - goal.Limits.MaxUnavailable;
        var newUnavailable = newReplicas - newSet.AvailableReplicas;
        var maxScaledDown = newReplicas + oldTotal - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
            return new RolloutPlan(newReplicas, ImmutableSortedDictionary<string, int>.Empty);

        // First the old pods that are not available anyway: removing them costs no availability.
        var cleaned = 0;
        foreach (var set in oldSets)
        {
            if (cleaned >= maxScaledDown)
                break;
            var unhealthy = old[set.Name] - set.AvailableReplicas;
            if (old[set.Name] == 0 || unhealthy <= 0)
                continue;
            var down = Math.Min(maxScaledDown - cleaned, unhealthy);
            old[set.Name] -= down;
            cleaned += down;
        }

        // Then available ones, as long as replicas - maxUnavailable stay available.
        var available = newSet.AvailableReplicas + oldSets.Sum(s => s.AvailableReplicas);
        var scaleDown = available - minAvailable;
        var scaled = 0;
        foreach (var set in oldSets)
        {
            if (scaled >= scaleDown)
                break;
            if (old[set.Name] == 0)
                continue;
            var down = Math.Min(old[set.Name], scaleDown - scaled);
            old[set.Name] -= down;
            scaled += down;
        }
        return new RolloutPlan(newReplicas, Changed(oldSets, old));
    }

    /// <summary>The new ReplicaSet's size: towards replicas, never taking the total above replicas + maxSurge.</summary>
    private static int NewReplicaSetReplicas(RolloutGoal goal, ReplicaSetReplicas newSet, List<ReplicaSetReplicas> oldSets)
    {
        if (newSet.Replicas >= goal.Replicas)
            return goal.Replicas;
        var maxTotal = goal.Replicas + goal.Limits.MaxSurge;
        var currentTotal = newSet.Replicas + oldSets.Sum(s => s.Replicas);
        if (currentTotal >= maxTotal)
            return newSet.Replicas;
        return newSet.Replicas + Math.Min(maxTotal - currentTotal, goal.Replicas - newSet.Replicas);
    }

    private static RolloutPlan PlanRecreate(RolloutGoal goal, ReplicaSetReplicas newSet, List<ReplicaSetReplicas> oldSets)
    {
        if (oldSets.Any(s => s.Replicas > 0))
            return new RolloutPlan(newSet.Replicas, Changed(oldSets, oldSets.ToDictionary(s => s.Name, _ => 0, StringComparer.Ordinal)));
        // Old pods still running (or stopping) keep the new ones waiting: Recreate never runs both at once.
        if (oldSets.Any(s => s.ActiveReplicas > 0))
            return new RolloutPlan(newSet.Replicas, ImmutableSortedDictionary<string, int>.Empty);
        return new RolloutPlan(goal.Replicas, ImmutableSortedDictionary<string, int>.Empty);
    }

    /// <summary>A paused Deployment does not roll, but a scale still reaches the ReplicaSet that runs alone.</summary>
    private static RolloutPlan PlanPaused(RolloutGoal goal, ReplicaSetReplicas newSet, List<ReplicaSetReplicas> oldSets)
    {
        var onlyNew = oldSets.All(s => s.Replicas == 0);
        return new RolloutPlan(onlyNew && newSet.Replicas > 0 ? goal.Replicas : newSet.Replicas, ImmutableSortedDictionary<string, int>.Empty);
    }

    private static ImmutableSortedDictionary<string, int> Changed(List<ReplicaSetReplicas> oldSets, Dictionary<string, int> target) =>
        oldSets.Where(s => target[s.Name] != s.Replicas)
            .ToImmutableSortedDictionary(s => s.Name, s => target[s.Name], StringComparer.Ordinal);
}
