using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' apps/v1 StatefulSet defaults (SetDefaults_StatefulSet), filled only where unset so applying them twice
/// changes nothing: replicas 1, OrderedReady, RollingUpdate with partition 0 (a RollingUpdate written without
/// rollingUpdate keeps none, as in kube), revisionHistoryLimit 10, claims retained on delete and scale; the pod
/// template gets the pod spec defaults and each claim template a claim's (volumeMode Filesystem, phase Pending).
/// </summary>
public static class StatefulSetDefaults
{
    public const int DefaultRevisionHistoryLimit = 10;

    public static StatefulSet Apply(StatefulSet set)
    {
        var spec = set.Spec;
        var strategy = spec.UpdateStrategy ?? new StatefulSetUpdateStrategy();
        if (string.IsNullOrEmpty(strategy.Type))
            strategy = strategy with { Type = StatefulSetUpdateStrategy.RollingUpdateType, RollingUpdate = strategy.RollingUpdate ?? new RollingUpdateStatefulSetStrategy() };
        if (strategy is { Type: StatefulSetUpdateStrategy.RollingUpdateType, RollingUpdate: { Partition: null } update })
            strategy = strategy with { RollingUpdate = update with { Partition = 0 } };
        var retention = spec.PersistentVolumeClaimRetentionPolicy ?? new StatefulSetPersistentVolumeClaimRetentionPolicy();
        retention = retention with
        {
            WhenDeleted = string.IsNullOrEmpty(retention.WhenDeleted) ? StatefulSetPersistentVolumeClaimRetentionPolicy.Retain : retention.WhenDeleted,
            WhenScaled = string.IsNullOrEmpty(retention.WhenScaled) ? StatefulSetPersistentVolumeClaimRetentionPolicy.Retain : retention.WhenScaled,
        };
        return set with
        {
            Spec = spec with
            {
                Replicas = spec.Replicas ?? 1,
                PodManagementPolicy = string.IsNullOrEmpty(spec.PodManagementPolicy) ? PodManagementPolicies.OrderedReady : spec.PodManagementPolicy,
                UpdateStrategy = strategy,
                RevisionHistoryLimit = spec.RevisionHistoryLimit ?? DefaultRevisionHistoryLimit,
                PersistentVolumeClaimRetentionPolicy = retention,
                Template = spec.Template is { } template ? template with { Spec = PodDefaults.Template(template.Spec ?? new PodSpec()) } : null,
                VolumeClaimTemplates = spec.VolumeClaimTemplates?.Select(ClaimTemplate).ToImmutableList(),
            },
        };
    }

    private static PersistentVolumeClaim ClaimTemplate(PersistentVolumeClaim claim) => claim with
    {
        Spec = claim.Spec with { VolumeMode = claim.Spec.VolumeMode ?? VolumeModes.Filesystem },
        Status = (claim.Status ?? new PersistentVolumeClaimStatus()) is var status && status.Phase is null ? status with { Phase = VolumePhases.Pending } : status,
    };
}
