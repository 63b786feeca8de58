using System.Collections.Immutable;
using Granary.Api;
using Granary.Grains.Caching;
using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.Services;

/// <summary>
/// Tells the services whose selector matches a pod (before or after its change) that the pod changed, when the change
/// can matter to their endpoints. Services are read from the local silo's cache: a service it does not know yet
/// reconciles on its own creation, and every service resyncs on a timer, so a missed hint only delays.
/// </summary>
public static class ServiceHints
{
    public static Task PodChangedAsync(IGrainFactory grains, WatchCache cache, Pod? before, Pod? after)
    {
        if (!MattersToEndpoints(before, after))
            return Task.CompletedTask;
        var ns = (after ?? before)!.Metadata.Namespace;
        var (_, services) = cache.For(ResourceKinds.Service).Snapshot(new ObjectFilter(ns, LabelSelector.Everything, FieldSelector.Everything));
        var hints = new List<Task>();
        foreach (var (key, item) in services)
        {
            if (((Service)item).Spec.Selector is not { Count: > 0 } selector)
                continue;
            var matches = LabelSelector.FromLabels(selector);
            if (matches.Matches(before?.Metadata.Labels) || matches.Matches(after?.Metadata.Labels))
                hints.Add(grains.GetGrain<IServiceGrain>(key).PodsChangedAsync());
        }
        return Task.WhenAll(hints);
    }

    /// <summary>Whether anything the endpoints are computed from changed: labels, address, readiness, phase, deletion, ports.</summary>
    public static bool MattersToEndpoints(Pod? before, Pod? after) =>
        before is null || after is null || Projection(before) != Projection(after);

    private static string Projection(Pod pod) => string.Join("|",
        string.Join(",", pod.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty),
        pod.Status?.PodIP,
        EndpointsPlanner.IsReady(pod),
        pod.Status?.Phase,
        pod.Metadata.DeletionTimestamp is null,
        pod.Spec.NodeName,
        string.Join(",", (pod.Spec.Containers ?? []).SelectMany(c => c.Ports ?? []).Select(p => $"{p.Name}/{p.Number}/{p.Protocol}")));
}
