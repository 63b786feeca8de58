using Granary.Model;

namespace Granary.Api;

/// <summary>Finds the grain that owns an object, by its model type or by its kind. The one map from kind to grain.</summary>
public static class ResourceGrains
{
    public static IResourceGrain<T> Get<T>(IGrainFactory grains, string key) where T : class, IResource<T> =>
        (IResourceGrain<T>)Get(grains, T.ResourceKind, key);

    public static object Get(IGrainFactory grains, ResourceKind kind, string key) => kind.Kind switch
    {
        "Pod" => grains.GetGrain<IPodGrain>(key),
        "Node" => grains.GetGrain<INodeGrain>(key),
        "Namespace" => grains.GetGrain<INamespaceGrain>(key),
        _ => throw new ArgumentException($"kind {kind.Kind} has no grain", nameof(kind)),
    };

    /// <summary>The dry-run face of any kind's grain (every resource grain has it).</summary>
    public static IResourceDryRun DryRun(IGrainFactory grains, ResourceKind kind, string key) => (IResourceDryRun)Get(grains, kind, key);

    /// <summary>Reads any object by kind and key (the HTTP edge's get). Throws NotFound when it does not exist.</summary>
    public static async Task<IResource> GetAsync(IGrainFactory grains, ResourceKind kind, string key) =>
        Get(grains, kind, key) switch
        {
            IPodGrain g => await g.GetAsync(),
            INodeGrain g => await g.GetAsync(),
            INamespaceGrain g => await g.GetAsync(),
            _ => throw new ArgumentException($"kind {kind.Kind} has no grain", nameof(kind)),
        };

    /// <summary>Creates any object by kind; its key comes from its metadata. Throws AlreadyExists, Invalid, …</summary>
    public static async Task<IResource> CreateAsync(IGrainFactory grains, ResourceKind kind, IResource resource) =>
        Get(grains, kind, kind.KeyOf(resource.Metadata.Namespace, resource.Metadata.Name ?? "")) switch
        {
            IPodGrain g => await g.CreateAsync((Pod)resource),
            INodeGrain g => await g.CreateAsync((Node)resource),
            INamespaceGrain g => await g.CreateAsync((Namespace)resource),
            _ => throw new ArgumentException($"kind {kind.Kind} has no grain", nameof(kind)),
        };

    /// <summary>Deletes any object by kind and key (namespace clean-up, CLI deletes by name).</summary>
    public static async Task<IResource> DeleteAsync(IGrainFactory grains, ResourceKind kind, string key, DeleteOptions options) =>
        Get(grains, kind, key) switch
        {
            IPodGrain g => await g.DeleteAsync(options),
            INodeGrain g => await g.DeleteAsync(options),
            INamespaceGrain g => await g.DeleteAsync(options),
            _ => throw new ArgumentException($"kind {kind.Kind} has no grain", nameof(kind)),
        };

    /// <summary>
    /// Updates any object by kind and key: its spec and metadata (<see cref="IResourceGrain{T}.UpdateAsync"/>), or its
    /// status when <paramref name="status"/> is set. Throws NotFound, Conflict (stale resourceVersion), Invalid, …
    /// </summary>
    public static async Task<IResource> UpdateAsync(IGrainFactory grains, ResourceKind kind, string key, IResource resource, bool status = false) =>
        Get(grains, kind, key) switch
        {
            IPodGrain g => status ? await g.UpdateStatusAsync((Pod)resource) : await g.UpdateAsync((Pod)resource),
            INodeGrain g => status ? await g.UpdateStatusAsync((Node)resource) : await g.UpdateAsync((Node)resource),
            INamespaceGrain g => status ? await g.UpdateStatusAsync((Namespace)resource) : await g.UpdateAsync((Namespace)resource),
            _ => throw new ArgumentException($"kind {kind.Kind} has no grain", nameof(kind)),
        };
}
