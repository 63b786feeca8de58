using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Api;

/// <summary>
/// Finds the grain that owns an object, by its model type or by its kind, and calls it without knowing the kind
/// statically (the HTTP edge, namespace clean-up, the CLI). The one map from kind to model type and grain: a new kind
/// adds one line to <see cref="ByKind"/>.
/// </summary>
public static class ResourceGrains
{
    private static readonly ImmutableDictionary<string, KindAccess> ByKind = new KindAccess[]
    {
        new KindAccess<Pod, IPodGrain>(),
        new KindAccess<Node, INodeGrain>(),
        new KindAccess<Namespace, INamespaceGrain>(),
        new KindAccess<Service, IServiceGrain>(),
        new KindAccess<Endpoints, IEndpointsGrain>(),
        new KindAccess<EndpointSlice, IEndpointSliceGrain>(),
        new KindAccess<Event, IEventGrain>(),
        new KindAccess<ReplicaSet, IReplicaSetGrain>(),
        new KindAccess<Deployment, IDeploymentGrain>(),
        new KindAccess<PersistentVolumeClaim, IPersistentVolumeClaimGrain>(),
        new KindAccess<PersistentVolume, IPersistentVolumeGrain>(),
        new KindAccess<StorageClass, IStorageClassGrain>(),
        new KindAccess<ConfigMap, IConfigMapGrain>(),
        new KindAccess<Secret, ISecretGrain>(),
        new KindAccess<ServiceAccount, IServiceAccountGrain>(),
        new KindAccess<ControllerRevision, IControllerRevisionGrain>(),
        new KindAccess<Job, IJobGrain>(),
        new KindAccess<CronJob, ICronJobGrain>(),
        new KindAccess<PodDisruptionBudget, IPodDisruptionBudgetGrain>(),
        new KindAccess<DaemonSet, IDaemonSetGrain>(),
        new KindAccess<StatefulSet, IStatefulSetGrain>(),
        new KindAccess<HorizontalPodAutoscaler, IHorizontalPodAutoscalerGrain>(),
        new KindAccess<Role, IRoleGrain>(),
        new KindAccess<ClusterRole, IClusterRoleGrain>(),
        new KindAccess<RoleBinding, IRoleBindingGrain>(),
        new KindAccess<ClusterRoleBinding, IClusterRoleBindingGrain>(),
    }.ToImmutableDictionary(a => a.Kind.Kind);

    public static IResourceGrain<T> Get<T>(IGrainFactory grains, string key) where T : class, IResource<T> =>
        (IResourceGrain<T>)Get(grains, T.ResourceKind, key);

    public static object Get(IGrainFactory grains, ResourceKind kind, string key) => Access(kind).Grain(grains, key);

    /// <summary>The model record of a kind (what its JSON deserializes to); null for a kind without a grain.</summary>
    public static Type? FindModelType(ResourceKind kind) => ByKind.GetValueOrDefault(kind.Kind)?.ModelType;

    /// <summary>The dry-run face of any kind's grain (every resource grain has it).</summary>
    public static IResourceDryRun DryRun(IGrainFactory grains, ResourceKind kind, string key) => (IResourceDryRun)Get(grains, kind, key);

    /// <summary>Reads any object by kind and key (the HTTP edge's get). Throws NotFound when it does not exist.</summary>
    public static Task<IResource> GetAsync(IGrainFactory grains, ResourceKind kind, string key) => Access(kind).GetAsync(grains, key);

    /// <summary>Creates any object by kind; its key comes from its metadata. Throws AlreadyExists, Invalid, …</summary>
    public static Task<IResource> CreateAsync(IGrainFactory grains, ResourceKind kind, IResource resource) =>
        Access(kind).CreateAsync(grains, kind.KeyOf(resource.Metadata.Namespace, resource.Metadata.Name ?? ""), resource);

    /// <summary>Deletes any object by kind and key (namespace clean-up, CLI deletes by name).</summary>
    public static Task<IResource> DeleteAsync(IGrainFactory grains, ResourceKind kind, string key, DeleteOptions options) =>
        Access(kind).DeleteAsync(grains, key, options);

    /// <summary>
    /// Updates any object by kind and key: its spec and metadata (<see cref="IResourceGrain{T}.UpdateAsync"/>), or its
    /// status when <paramref name="status"/> is set. Throws NotFound, Conflict (stale resourceVersion), Invalid, …
    /// </summary>
    public static Task<IResource> UpdateAsync(IGrainFactory grains, ResourceKind kind, string key, IResource resource, bool status = false) =>
        Access(kind).UpdateAsync(grains, key, resource, status);

    private static KindAccess Access(ResourceKind kind) =>
        ByKind.TryGetValue(kind.Kind, out var access) ? access : throw new ArgumentException($"kind {kind.Kind} has no grain", nameof(kind));

    /// <summary>The calls of one kind's grain, typed once here so callers need not know the kind.</summary>
    private abstract class KindAccess
    {
        public abstract ResourceKind Kind { get; }
        public abstract Type ModelType { get; }
        public abstract object Grain(IGrainFactory grains, string key);
        public abstract Task<IResource> GetAsync(IGrainFactory grains, string key);
        public abstract Task<IResource> CreateAsync(IGrainFactory grains, string key, IResource resource);
        public abstract Task<IResource> DeleteAsync(IGrainFactory grains, string key, DeleteOptions options);
        public abstract Task<IResource> UpdateAsync(IGrainFactory grains, string key, IResource resource, bool status);
    }

    private sealed class KindAccess<T, TGrain> : KindAccess
        where T : class, IResource<T>
        where TGrain : IResourceGrain<T>
    {
        public override ResourceKind Kind => T.ResourceKind;
        public override Type ModelType => typeof(T);
        public override object Grain(IGrainFactory grains, string key) => grains.GetGrain<TGrain>(key);
        public override async Task<IResource> GetAsync(IGrainFactory grains, string key) => await grains.GetGrain<TGrain>(key).GetAsync();
        public override async Task<IResource> CreateAsync(IGrainFactory grains, string key, IResource resource) =>
            await grains.GetGrain<TGrain>(key).CreateAsync((T)resource);
        public override async Task<IResource> DeleteAsync(IGrainFactory grains, string key, DeleteOptions options) =>
            await grains.GetGrain<TGrain>(key).DeleteAsync(options);
        public override async Task<IResource> UpdateAsync(IGrainFactory grains, string key, IResource resource, bool status) =>
            status ? await grains.GetGrain<TGrain>(key).UpdateStatusAsync((T)resource) : await grains.GetGrain<TGrain>(key).UpdateAsync((T)resource);
    }
}
