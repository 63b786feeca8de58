using Granary.Api;
using Granary.Grains.Caching;
using Granary.Grains.Nodes;
using Granary.Model;

namespace Granary.Grains.Config;

/// <summary>
/// After a ConfigMap or Secret is written or deleted, tells each node that runs a pod referencing it, once per node
/// (one-way, <see cref="INodeAgentGrain.PodConfigChangedAsync"/>). Only a hint, from the silo's watch cache as it is:
/// a pod the cache has not seen yet is the agent's periodic resync's to catch.
/// </summary>
internal static class PodConfigHints
{
    public static async Task ChangedAsync(IGrainFactory grains, WatchCache cache, ResourceKind kind, string @namespace, string name)
    {
        var (_, pods) = cache.For(ResourceKinds.Pod).Snapshot(ObjectFilter.Parse(@namespace, null, null));
        var nodes = pods.Select(p => (Pod)p.Value)
            .Where(p => p.Spec.NodeName is not null && PodConfigReferences.References(p, kind, name))
            .Select(p => p.Spec.NodeName!)
            .Distinct(StringComparer.Ordinal);
        foreach (var node in nodes)
            await grains.GetGrain<INodeAgentGrain>(node).PodConfigChangedAsync(kind.Kind, @namespace, name);
    }
}
