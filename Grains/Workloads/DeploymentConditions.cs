using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>The Available and Progressing conditions of a Deployment, with Kubernetes' types, reasons and messages.</summary>
public static class DeploymentConditions
{
    public const string Available = "Available";
    public const string Progressing = "Progressing";

    public const string NewReplicaSetCreated = "NewReplicaSetCreated";
    public const string FoundNewReplicaSet = "FoundNewReplicaSet";
    public const string ReplicaSetUpdated = "ReplicaSetUpdated";
    public const string NewReplicaSetAvailable = "NewReplicaSetAvailable";
    public const string ProgressDeadlineExceeded = "ProgressDeadlineExceeded";
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    public static DeploymentCondition? Find(DeploymentStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static DeploymentCondition New(string type, bool status, string reason, string message, DateTimeOffset now) => new()
    {
        Type = type,
        Status = status ? "True" : "False",
        Reason = reason,
        Message = message,
        LastUpdateTime = now,
        LastTransitionTime = now,
    };

    /// <summary>
    /// Kubernetes' SetDeploymentCondition: nothing changes when status and reason are the same; the transition time is
    /// kept when only the reason changes; the new condition goes last.
    /// </summary>
    public static DeploymentStatus Set(DeploymentStatus status, DeploymentCondition condition)
    {
        var current = Find(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason)
            return status;
        if (current is not null && current.Status == condition.Status)
            condition = condition with { LastTransitionTime = current.LastTransitionTime };
        return status with { Conditions = Without(status, condition.Type).Add(condition) };
    }

    /// <summary>Replaces the condition whatever it was (Progressing refreshes its update time on every sign of progress).</summary>
    public static DeploymentStatus Replace(DeploymentStatus status, DeploymentCondition condition) =>
        status with { Conditions = Without(status, condition.Type).Add(condition) };

    private static ImmutableList<DeploymentCondition> Without(DeploymentStatus status, string type) =>
        (status.Conditions ?? []).RemoveAll(c => c.Type == type);
}
