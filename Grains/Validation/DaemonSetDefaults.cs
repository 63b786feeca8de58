using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' apps/v1 DaemonSet defaults, filled only where unset: RollingUpdate with maxUnavailable 1 and maxSurge 0,
/// a history of 10 revisions, and the pod spec defaults in the template.
/// </summary>
public static class DaemonSetDefaults
{
    public static readonly IntOrString MaxUnavailable = 1;
    public static readonly IntOrString MaxSurge = 0;

    public static DaemonSet Apply(DaemonSet ds)
    {
        var strategy = ds.Spec.UpdateStrategy ?? new DaemonSetUpdateStrategy();
        strategy = strategy with { Type = string.IsNullOrEmpty(strategy.Type) ? DaemonSetUpdateStrategy.RollingUpdateType : strategy.Type };
        if (strategy.Type == DaemonSetUpdateStrategy.RollingUpdateType)
        {
            var update = strategy.RollingUpdate ?? new RollingUpdateDaemonSet();
            strategy = strategy with
            {
                RollingUpdate = update with { MaxUnavailable = update.MaxUnavailable ?? MaxUnavailable, MaxSurge = update.MaxSurge ?? MaxSurge },
            };
        }
        return ds with
        {
            Spec = ds.Spec with
            {
                UpdateStrategy = strategy,
                RevisionHistoryLimit = ds.Spec.RevisionHistoryLimit ?? ControllerHistory.DefaultLimit,
                Template = ds.Spec.Template is { } template ? template with { Spec = PodDefaults.Template(template.Spec ?? new PodSpec()) } : null,
            },
        };
    }
}
