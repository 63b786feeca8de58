namespace Granary.Api;

/// <summary>Owns one Role (key "namespace/name").</summary>
[Alias("granary.IRoleGrain")]
public interface IRoleGrain : IResourceGrain<Model.Role>;

/// <summary>Owns one ClusterRole (key "name"). An aggregated one has its rules filled by the aggregation controller.</summary>
[Alias("granary.IClusterRoleGrain")]
public interface IClusterRoleGrain : IResourceGrain<Model.ClusterRole>;

/// <summary>Owns one RoleBinding (key "namespace/name"); its roleRef cannot change.</summary>
[Alias("granary.IRoleBindingGrain")]
public interface IRoleBindingGrain : IResourceGrain<Model.RoleBinding>;

/// <summary>Owns one ClusterRoleBinding (key "name"); its roleRef cannot change.</summary>
[Alias("granary.IClusterRoleBindingGrain")]
public interface IClusterRoleBindingGrain : IResourceGrain<Model.ClusterRoleBinding>;

/// <summary>
/// kube's clusterrole-aggregation controller (one grain, key 0): keeps the rules of every ClusterRole that has an
/// aggregationRule equal to the union of the rules of the ClusterRoles its selectors match.
/// </summary>
[Alias("granary.IClusterRoleAggregationGrain")]
public interface IClusterRoleAggregationGrain : IGrainWithIntegerKey
{
    /// <summary>A hint that some ClusterRole changed; the grain re-reads them all. One-way, so a ClusterRole grain
    /// that the controller itself is updating can send it without waiting on the controller.</summary>
    [Alias("ClusterRoleChanged"), Orleans.Concurrency.OneWay]
    Task ClusterRoleChangedAsync();

    /// <summary>Brings every aggregated ClusterRole up to date now. Idempotent.</summary>
    [Alias("Reconcile")]
    Task ReconcileAsync();
}
