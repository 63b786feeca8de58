using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>
/// A Deployment's status from its ReplicaSets, as Kubernetes' calculateStatus and syncRolloutStatus compute it: the
/// counts, Available (minimum availability) and Progressing (progressing, complete, or past its deadline).
/// </summary>
public static class DeploymentStatusPlanner
{
    public static DeploymentStatus Calculate(Deployment d, ReplicaSet? newSet, IReadOnlyList<ReplicaSet> all, DateTimeOffset now)
    {
        var desired = d.Spec.Replicas ?? 1;
        var available = all.Sum(rs => rs.Status?.AvailableReplicas ?? 0);
        var total = all.Sum(rs => rs.Spec.Replicas ?? 0);
        var previous = d.Status ?? new DeploymentStatus();
        var status = new DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = all.Sum(rs => rs.Status?.Replicas ?? 0),
            UpdatedReplicas = newSet?.Status?.Replicas ?? 0,
            ReadyReplicas = all.Sum(rs => rs.Status?.ReadyReplicas ?? 0),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(total - available, 0),
            CollisionCount = previous.CollisionCount,
            Conditions = previous.Conditions,
        };

        var maxUnavailable = Math.Min(RolloutLimits.For(d.Spec).MaxUnavailable, desired);
        status = DeploymentConditions.Set(status, available >= desired - maxUnavailable
            ? DeploymentConditions.New(DeploymentConditions.Available, true, DeploymentConditions.MinimumReplicasAvailable, "Deployment has minimum availability.", now)
            : DeploymentConditions.New(DeploymentConditions.Available, false, DeploymentConditions.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now));
        return Progress(d, previous, status, newSet, now);
    }

    /// <summary>Whether the rollout is done: every replica updated and available, and the latest spec observed.</summary>
    public static bool IsComplete(Deployment d, DeploymentStatus status)
    {
        var desired = d.Spec.Replicas ?? 1;
        return status.UpdatedReplicas == desired && status.Replicas == desired && status.AvailableReplicas == desired
            && status.ObservedGeneration >= d.Metadata.Generation;
    }

    /// <summary>When the Progressing condition turns to ProgressDeadlineExceeded if nothing moves; null when it cannot.</summary>
    public static DateTimeOffset? DeadlineAt(Deployment d, DeploymentStatus status)
    {
        if (d.Spec.ProgressDeadlineSeconds is not { } seconds || seconds == int.MaxValue)
            return null;
        var progressing = DeploymentConditions.Find(status, DeploymentConditions.Progressing);
        if (progressing is null || progressing.Reason is DeploymentConditions.NewReplicaSetAvailable or DeploymentConditions.ProgressDeadlineExceeded)
            return null;
        return progressing.LastUpdateTime?.AddSeconds(seconds);
    }

    private static DeploymentStatus Progress(Deployment d, DeploymentStatus previous, DeploymentStatus status, ReplicaSet? newSet, DateTimeOffset now)
    {
        if (d.Spec.ProgressDeadlineSeconds is not { } seconds || seconds == int.MaxValue)
            return status;
        var current = DeploymentConditions.Find(status, DeploymentConditions.Progressing);
        // Once complete, a Deployment stays complete until a new rollout starts.
        if (status.Replicas == status.UpdatedReplicas && current?.Reason == DeploymentConditions.NewReplicaSetAvailable)
            return status;

        var subject = newSet is null ? $"Deployment \"{d.Metadata.Name}\"" : $"ReplicaSet \"{newSet.Metadata.Name}\"";
        if (IsComplete(d, status))
            return DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, true,
                DeploymentConditions.NewReplicaSetAvailable, $"{subject} has successfully progressed.", now));
        if (MadeProgress(previous, status))
        {
            var condition = DeploymentConditions.New(DeploymentConditions.Progressing, true, DeploymentConditions.ReplicaSetUpdated, $"{subject} is progressing.", now);
            if (current is { Status: "True" })
                condition = condition with { LastTransitionTime = current.LastTransitionTime };
            return DeploymentConditions.Replace(status, condition);
        }
        if (DeadlineAt(d, status) is { } deadline && deadline < now)
            return DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, false,
                DeploymentConditions.ProgressDeadlineExceeded, $"{subject} has timed out progressing.", now));
        return status;
    }

    /// <summary>Kubernetes' DeploymentProgressing: more updated, ready or available pods, or fewer old ones.</summary>
    private static bool MadeProgress(DeploymentStatus old, DeploymentStatus updated) =>
        updated.UpdatedReplicas > old.UpdatedReplicas
        || updated.Replicas - updated.UpdatedReplicas < old.Replicas - old.UpdatedReplicas
        || updated.ReadyReplicas > old.ReadyReplicas
        || updated.AvailableReplicas > old.AvailableReplicas;
}
