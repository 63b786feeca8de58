using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' apps/v1 defaults for ReplicaSets and Deployments, filled only where unset (so applying them twice
/// changes nothing). The pod template gets the pod spec defaults (not the pod-only ones), as kube stores it.
/// </summary>
public static class WorkloadDefaults
{
    public const int DefaultProgressDeadlineSeconds = 600;

    public static ReplicaSet Apply(ReplicaSet rs) => rs with
    {
        Spec = rs.Spec with { Replicas = rs.Spec.Replicas ?? 1, Template = Template(rs.Spec.Template) },
    };

    public static Deployment Apply(Deployment d)
    {
        var strategy = d.Spec.Strategy ?? new DeploymentStrategy();
        strategy = strategy with { Type = string.IsNullOrEmpty(strategy.Type) ? DeploymentStrategy.RollingUpdateType : strategy.Type };
        if (strategy.Type == DeploymentStrategy.RollingUpdateType)
        {
            var update = strategy.RollingUpdate ?? new RollingUpdateDeployment();
            strategy = strategy with
            {
                RollingUpdate = update with
                {
                    MaxUnavailable = update.MaxUnavailable ?? RolloutLimits.DefaultMaxUnavailable,
                    MaxSurge = update.MaxSurge ?? RolloutLimits.DefaultMaxSurge,
                },
            };
        }
        return d with
        {
            Spec = d.Spec with
            {
                Replicas = d.Spec.Replicas ?? 1,
                Strategy = strategy,
                RevisionHistoryLimit = d.Spec.RevisionHistoryLimit ?? RevisionHistory.DefaultLimit,
                ProgressDeadlineSeconds = d.Spec.ProgressDeadlineSeconds ?? DefaultProgressDeadlineSeconds,
                Template = Template(d.Spec.Template),
            },
        };
    }

    private static PodTemplateSpec? Template(PodTemplateSpec? template) =>
        template is null ? null : template with { Spec = PodDefaults.Template(template.Spec ?? new PodSpec()) };
}
