using System.Text.Json.Nodes;
using Granary.Metrics;
using Granary.Model;

namespace Granary.Silo.Api.Metrics;

/// <summary>The JSON of NodeMetrics, PodMetrics and their lists, field for field as metrics-server writes them.</summary>
internal static class MetricsObjects
{
    public static JsonObject List(string kind, IEnumerable<JsonNode> items) => new()
    {
        ["kind"] = kind,
        ["apiVersion"] = MetricsApi.GroupVersion,
        ["metadata"] = new JsonObject(),
        ["items"] = new JsonArray([.. items]),
    };

    public static JsonObject Node(IResource node, NodeUsage usage, DateTimeOffset now) => new()
    {
        ["kind"] = "NodeMetrics",
        ["apiVersion"] = MetricsApi.GroupVersion,
        ["metadata"] = Metadata(node.Metadata.Name!, null, node.Metadata.Labels, now),
        ["timestamp"] = Time(usage.Timestamp),
        ["window"] = MetricsQuantities.Window(usage.Window),
        ["usage"] = Usage(usage.Usage),
    };

    public static JsonObject Pod(Pod pod, (NodeUsage Node, PodUsage Pod) usage, DateTimeOffset now) => new()
    {
        ["kind"] = "PodMetrics",
        ["apiVersion"] = MetricsApi.GroupVersion,
        ["metadata"] = Metadata(pod.Metadata.Name!, pod.Metadata.Namespace, pod.Metadata.Labels, now),
        ["timestamp"] = Time(usage.Node.Timestamp),
        ["window"] = MetricsQuantities.Window(usage.Node.Window),
        ["containers"] = new JsonArray([.. usage.Pod.Containers.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["usage"] = Usage(c.Usage),
        })]),
    };

    /// <summary>metrics-server's metadata: name, namespace, the object's labels and a creationTimestamp of the moment served.</summary>
    private static JsonObject Metadata(string name, string? @namespace, IReadOnlyDictionary<string, string>? labels, DateTimeOffset now)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (@namespace is not null)
            metadata["namespace"] = @namespace;
        metadata["creationTimestamp"] = Time(now);
        if (labels is { Count: > 0 })
            metadata["labels"] = new JsonObject([.. labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]);
        return metadata;
    }

    private static JsonObject Usage(Granary.Metrics.Usage usage) => new()
    {
        ["cpu"] = MetricsQuantities.Cpu(usage.CpuNanocores),
        ["memory"] = MetricsQuantities.Memory(usage.MemoryBytes),
    };

    /// <summary>RFC 3339 to the second, as metav1.Time marshals.</summary>
    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
