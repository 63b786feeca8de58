using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Metrics;
using Granary.Model;

namespace Granary.Silo.Api.Metrics;

/// <summary>
/// metrics.k8s.io/v1beta1 as metrics-server serves it, from the usage the agents report to their nodes' metrics grains:
/// NodeMetrics and PodMetrics, get and list, label and field selectors, objects shaped and worded as metrics-server's.
/// The objects that can have metrics (nodes, pods) come from this silo's watch cache; usage from one grain call per node
/// concerned, in parallel. Read-only: there is nothing to watch.
/// </summary>
internal static class MetricsApi
{
    public const string Group = "metrics.k8s.io";
    public const string GroupVersion = Group + "/v1beta1";

    /// <summary>What discovery lists for the group: plural, kind, namespaced.</summary>
    public static readonly ImmutableArray<(string Name, string Kind, bool Namespaced)> Resources =
        [("nodes", "NodeMetrics", false), ("pods", "PodMetrics", true)];

    public static readonly ImmutableArray<string> Verbs = ["get", "list"];

    private const string Prefix = "/apis/" + GroupVersion;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet(Prefix + "/nodes", (HttpContext c, WatchCache cache, IGrainFactory grains, TimeProvider time) => ListNodesAsync(c, cache, grains, time));
        api.MapGet(Prefix + "/nodes/{name}", (string name, WatchCache cache, IGrainFactory grains, TimeProvider time) => GetNodeAsync(name, cache, grains, time));
        api.MapGet(Prefix + "/pods", (HttpContext c, WatchCache cache, IGrainFactory grains, TimeProvider time) => ListPodsAsync(c, null, cache, grains, time));
        api.MapGet(Prefix + "/namespaces/{ns}/pods", (HttpContext c, string ns, WatchCache cache, IGrainFactory grains, TimeProvider time) => ListPodsAsync(c, ns, cache, grains, time));
        api.MapGet(Prefix + "/namespaces/{ns}/pods/{name}", (string ns, string name, WatchCache cache, IGrainFactory grains, TimeProvider time) => GetPodAsync(ns, name, cache, grains, time));
    }

    private static async Task<IResult> ListNodesAsync(HttpContext context, WatchCache cache, IGrainFactory grains, TimeProvider time)
    {
        var nodes = await SelectAsync(context, null, ResourceKinds.Node, cache);
        var usages = await UsageAsync(grains, nodes.Select(n => n.Metadata.Name!));
        var items = nodes.Where(n => usages.ContainsKey(n.Metadata.Name!)).Select(n => (JsonNode)MetricsObjects.Node(n, usages[n.Metadata.Name!], time.GetUtcNow()));
        return DiscoveryEndpoints.Json(MetricsObjects.List("NodeMetricsList", items));
    }

    private static async Task<IResult> GetNodeAsync(string name, WatchCache cache, IGrainFactory grains, TimeProvider time)
    {
        var node = (await cache.ConsistentAsync(ResourceKinds.Node)).Get(name);
        if (node is null || await grains.GetGrain<INodeMetricsGrain>(name).GetUsageAsync() is not { } usage)
            throw new NotFoundException("nodemetrics." + Group, name);
        return DiscoveryEndpoints.Json(MetricsObjects.Node(node, usage, time.GetUtcNow()));
    }

    private static async Task<IResult> ListPodsAsync(HttpContext context, string? @namespace, WatchCache cache, IGrainFactory grains, TimeProvider time)
    {
        var pods = (await SelectAsync(context, @namespace, ResourceKinds.Pod, cache)).Cast<Pod>().ToList();
        var byUid = await PodUsageAsync(grains, pods);
        var items = pods.Where(p => byUid.ContainsKey(p.Metadata.Uid!)).Select(p => (JsonNode)MetricsObjects.Pod(p, byUid[p.Metadata.Uid!], time.GetUtcNow()));
        return DiscoveryEndpoints.Json(MetricsObjects.List("PodMetricsList", items));
    }

    private static async Task<IResult> GetPodAsync(string @namespace, string name, WatchCache cache, IGrainFactory grains, TimeProvider time)
    {
        if ((await cache.ConsistentAsync(ResourceKinds.Pod)).Get($"{@namespace}/{name}") is not Pod pod
            || !(await PodUsageAsync(grains, [pod])).TryGetValue(pod.Metadata.Uid!, out var usage))
        {
            throw new NotFoundException("podmetrics." + Group, $"{@namespace}/{name}");
        }
        return DiscoveryEndpoints.Json(MetricsObjects.Pod(pod, usage, time.GetUtcNow()));
    }

    /// <summary>The objects of a kind the request's namespace, labelSelector and fieldSelector pick.</summary>
    private static async Task<List<IResource>> SelectAsync(HttpContext context, string? @namespace, ResourceKind kind, WatchCache cache)
    {
        var query = context.Request.Query;
        var filter = ObjectFilter.Parse(@namespace, query["labelSelector"], query["fieldSelector"]);
        return [.. (await cache.ConsistentAsync(kind)).Snapshot(filter).Items.Select(i => i.Value)];
    }

    /// <summary>The usage of each pod that has metrics, by uid, read from the metrics grains of the nodes they run on.</summary>
    private static async Task<Dictionary<string, (NodeUsage Node, PodUsage Pod)>> PodUsageAsync(IGrainFactory grains, IReadOnlyCollection<Pod> pods)
    {
        var nodes = await UsageAsync(grains, pods.Select(p => p.Spec.NodeName).OfType<string>().Distinct());
        var result = new Dictionary<string, (NodeUsage, PodUsage)>();
        foreach (var node in nodes.Values)
        {
            foreach (var pod in node.Pods)
                result[pod.Uid] = (node, pod);
        }
        return result;
    }

    /// <summary>The usage of each named node that has some, asking every node's grain at once.</summary>
    private static async Task<Dictionary<string, NodeUsage>> UsageAsync(IGrainFactory grains, IEnumerable<string> nodes)
    {
        var usages = await Task.WhenAll(nodes.Select(n => grains.GetGrain<INodeMetricsGrain>(n).GetUsageAsync()));
        return usages.OfType<NodeUsage>().ToDictionary(u => u.Node);
    }
}
