using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>The table of every served kind, by kind name. A new kind adds its table here.</summary>
public static class KindTables
{
    private static readonly ImmutableDictionary<string, KindTable> ByKind = new Dictionary<string, KindTable>
    {
        ["Pod"] = new PodTable(),
        ["Node"] = new NodeTable(),
        ["Namespace"] = new NamespaceTable(),
        ["Service"] = new ServiceTable(),
        ["Endpoints"] = new EndpointsTable(),
        ["EndpointSlice"] = new EndpointSliceTable(),
        ["Event"] = new EventTable(),
        ["ReplicaSet"] = new ReplicaSetTable(),
        ["Deployment"] = new DeploymentTable(),
        ["PersistentVolumeClaim"] = new PersistentVolumeClaimTable(),
        ["PersistentVolume"] = new PersistentVolumeTable(),
        ["StorageClass"] = new StorageClassTable(),
        ["ConfigMap"] = new ConfigMapTable(),
        ["Secret"] = new SecretTable(),
        ["ServiceAccount"] = new ServiceAccountTable(),
        ["ControllerRevision"] = new ControllerRevisionTable(),
        ["Job"] = new JobTable(),
        ["CronJob"] = new CronJobTable(),
        ["HorizontalPodAutoscaler"] = new HorizontalPodAutoscalerTable(),
        ["PodDisruptionBudget"] = new PodDisruptionBudgetTable(),
        ["DaemonSet"] = new DaemonSetTable(),
        ["StatefulSet"] = new StatefulSetTable(),
        ["Role"] = new RoleTable(),
        ["ClusterRole"] = new RoleTable(),
        ["RoleBinding"] = new RoleBindingTable(),
        ["ClusterRoleBinding"] = new RoleBindingTable(),
    }.ToImmutableDictionary();

    public static KindTable For(ResourceKind kind) =>
        ByKind.TryGetValue(kind.Kind, out var table) ? table : throw new ArgumentException($"no table for kind {kind.Kind}", nameof(kind));
}
