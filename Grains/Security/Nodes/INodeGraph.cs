using Granary.Grains.Caching;
using Granary.Model;

namespace Granary.Grains.Security.Nodes;

/// <summary>Which pods are bound to a node: what the Node authorizer's graph (kube-apiserver's node graph) is built from.</summary>
public interface INodeGraph
{
    /// <summary>
    /// The pods bound to <paramref name="node"/>; when <paramref name="consistent"/>, including every write acknowledged
    /// before the call (asked again so, when a first answer denies, so that a pod bound a moment ago already counts).
    /// </summary>
    ValueTask<IReadOnlyList<Pod>> PodsOnAsync(string node, bool consistent);

    /// <summary>The claim <paramref name="namespace"/>/<paramref name="name"/>, for the volume it is bound to; null when unknown.</summary>
    ValueTask<PersistentVolumeClaim?> ClaimAsync(string @namespace, string name, bool consistent) => ValueTask.FromResult<PersistentVolumeClaim?>(null);
}

/// <summary>The node graph from the silo's watch cache: no grain call, so authorizing never waits on the grain it guards.</summary>
public sealed class WatchCacheNodeGraph(WatchCache cache) : INodeGraph
{
    public async ValueTask<IReadOnlyList<Pod>> PodsOnAsync(string node, bool consistent)
    {
        var pods = consistent ? await cache.ConsistentAsync(ResourceKinds.Pod) : cache.For(ResourceKinds.Pod);
        return [.. pods.OnNode(node).OfType<Pod>()];
    }

    public async ValueTask<PersistentVolumeClaim?> ClaimAsync(string @namespace, string name, bool consistent)
    {
        var claims = consistent ? await cache.ConsistentAsync(ResourceKinds.PersistentVolumeClaim) : cache.For(ResourceKinds.PersistentVolumeClaim);
        return claims.Get(ResourceKinds.PersistentVolumeClaim.KeyOf(@namespace, name)) as PersistentVolumeClaim;
    }
}
