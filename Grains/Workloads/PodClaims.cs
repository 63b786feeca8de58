using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Model;
using Granary.Selectors;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Workloads;

/// <summary>
/// kube's ClaimPods (the PodControllerRefManager) for controller grains: the pods an owner controls are its own that its
/// selector still matches, plus active orphans it matches, which it adopts; its own pods that no longer match are
/// released (their controller reference removed). Pods come from the silo's watch cache by the owner index and the
/// label index, never a namespace scan; a write that meets a conflict is left to the next pass.
/// </summary>
public static partial class PodClaims
{
    /// <param name="mayAdopt">What an orphan must also be to be adopted (a StatefulSet's pods are named after it).</param>
    public static async Task<List<Pod>> ClaimAsync(IGrainFactory grains, WatchCache cache, IResource owner, LabelSelector selector,
        Func<Pod, bool> mayAdopt, ILogger logger)
    {
        var ns = owner.Metadata.Namespace!;
        var uid = owner.Metadata.Uid!;
        var pods = await cache.ConsistentAsync(ResourceKinds.Pod);
        var candidates = pods.OwnedBy(uid).Concat(pods.Selected(ns, selector))
            .DistinctBy(p => p.Metadata.Name).Cast<Pod>().Where(p => p.Metadata.Namespace == ns);
        var owned = new List<Pod>();
        foreach (var pod in candidates)
        {
            var controller = OwnerReferences.ControllerRef(pod.Metadata);
            var matches = selector.Matches(pod.Metadata.Labels);
            if (controller?.Uid == uid)
            {
                if (matches)
                    owned.Add(pod);
                else if (PodReadiness.IsActive(pod))
                    await UpdateAsync(grains, owner, pod, pod with { Metadata = OwnerReferences.Release(pod.Metadata, uid) }, "release", logger);
            }
            else if (controller is null && matches && PodReadiness.IsActive(pod) && mayAdopt(pod))
            {
                if (await UpdateAsync(grains, owner, pod, pod with { Metadata = OwnerReferences.Adopt(pod.Metadata, owner) }, "adopt", logger) is { } adopted)
                    owned.Add(adopted);
            }
        }
        return owned;
    }

    /// <summary>Writes a pod at the version read; a conflict (someone else wrote it) or a pod gone is left to the next pass.</summary>
    private static async Task<Pod?> UpdateAsync(IGrainFactory grains, IResource owner, Pod pod, Pod updated, string action, ILogger logger)
    {
        try
        {
            var written = await grains.GetGrain<IPodGrain>($"{pod.Metadata.Namespace}/{pod.Metadata.Name}").UpdateAsync(updated);
            LogClaimed(logger, owner.Kind, $"{owner.Metadata.Namespace}/{owner.Metadata.Name}", action, pod.Metadata.Name!);
            return written;
        }
        catch (GranaryException e) when (e is ConflictException or NotFoundException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Key}: {Action} pod {Pod}")]
    private static partial void LogClaimed(ILogger logger, string kind, string key, string action, string pod);
}
