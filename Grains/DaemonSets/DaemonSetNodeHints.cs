using Granary.Api;
using Granary.Grains.Caching;
using Granary.Model;

namespace Granary.Grains.DaemonSets;

/// <summary>
/// Tells the DaemonSets of a node change that may change where their pods belong: a node added or removed, or its
/// labels, taints or name-bound fields changed (kube's daemon controller watches nodes the same way and ignores
/// heartbeats). Called by the node's grain after each write: a status-only write costs one comparison; a relevant one
/// one one-way call per DaemonSet, read from this silo's watch cache.
/// </summary>
public static class DaemonSetNodeHints
{
    public static async Task NodeChangedAsync(IGrainFactory grains, WatchCache cache, Node? before, Node? after)
    {
        if (!Concerns(before, after))
            return;
        var daemonSets = cache.For(ResourceKinds.DaemonSet);
        await daemonSets.Ready;
        foreach (var (key, _) in daemonSets.Snapshot(ObjectFilter.Everything).Items)
            await grains.GetGrain<IDaemonSetGrain>(key).NodesChangedAsync();
    }

    public static bool Concerns(Node? before, Node? after) =>
        before is null || after is null
        || !Same(before.Metadata.Labels, after.Metadata.Labels)
        || !(before.Spec.Taints ?? []).SequenceEqual(after.Spec.Taints ?? [])
        || before.Metadata.DeletionTimestamp != after.Metadata.DeletionTimestamp;

    private static bool Same(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(p => b!.TryGetValue(p.Key, out var v) && v == p.Value));
}
