using System.Text.Json.Nodes;

namespace Granary.Silo.Api.Autoscaling;

/// <summary>
/// autoscaling/v1 ↔ autoscaling/v2 HorizontalPodAutoscaler, as kube-apiserver converts (pkg/apis/autoscaling/v1
/// conversion): v1's targetCPUUtilizationPercentage is v2's cpu Utilization metric and currentCPUUtilizationPercentage
/// its current value; what v1 cannot say (other metrics, behavior, conditions) travels in kube's annotations. Works on
/// whole objects and on partial ones (merge patches): only the fields present are converted.
/// </summary>
public static class HpaV1Conversion
{
    public const string V1 = "autoscaling/v1";
    public const string V2 = "autoscaling/v2";
    public const string MetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
    public const string ConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
    public const string CurrentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
    public const string BehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

    /// <summary>A v1 object (or patch) as v2.</summary>
    public static JsonObject ToV2(JsonObject v1)
    {
        var v2 = (JsonObject)v1.DeepClone();
        if (v2["apiVersion"] is not null)
            v2["apiVersion"] = V2;
        var annotations = v2["metadata"]?["annotations"] as JsonObject;
        if (v2["spec"] is JsonObject spec)
        {
            var extra = Take(annotations, MetricsAnnotation) as JsonArray;
            if (spec.Remove("targetCPUUtilizationPercentage", out var target) || extra is not null)
            {
                var metrics = extra ?? new JsonArray();
                if (target is not null)
                    metrics.Insert(0, CpuMetric("target", target.DeepClone()));
                spec["metrics"] = metrics;
            }
            if (Take(annotations, BehaviorAnnotation) is JsonObject behavior)
                spec["behavior"] = behavior;
        }
        if (v2["status"] is JsonObject status)
        {
            var metrics = Take(annotations, CurrentMetricsAnnotation) as JsonArray ?? new JsonArray();
            if (status.Remove("currentCPUUtilizationPercentage", out var current) && current is not null)
                metrics.Insert(0, CpuMetric("current", current.DeepClone()));
            if (metrics.Count > 0)
                status["currentMetrics"] = metrics;
            if (Take(annotations, ConditionsAnnotation) is JsonArray conditions)
                status["conditions"] = conditions;
        }
        else
        {
            Take(annotations, CurrentMetricsAnnotation);
            Take(annotations, ConditionsAnnotation);
        }
        return v2;
    }

    /// <summary>A v2 object as v1.</summary>
    public static JsonObject ToV1(JsonObject v2)
    {
        var v1 = (JsonObject)v2.DeepClone();
        if (v1["apiVersion"] is not null)
            v1["apiVersion"] = V1;
        var extras = new Dictionary<string, JsonNode>();
        if (v1["spec"] is JsonObject spec)
        {
            if (spec.Remove("metrics", out var metrics) && metrics is JsonArray list)
            {
                var others = new JsonArray();
                foreach (var m in list)
                {
                    if (IsCpuUtilization(m, "target") is { } percent && spec["targetCPUUtilizationPercentage"] is null)
                        spec["targetCPUUtilizationPercentage"] = percent;
                    else
                        others.Add(m!.DeepClone());
                }
                if (others.Count > 0)
                    extras[MetricsAnnotation] = others;
            }
            if (spec.Remove("behavior", out var behavior) && behavior is not null)
                extras[BehaviorAnnotation] = behavior;
        }
        if (v1["status"] is JsonObject status)
        {
            if (status.Remove("currentMetrics", out var metrics) && metrics is JsonArray list)
            {
                var others = new JsonArray();
                foreach (var m in list)
                {
                    if (IsCpuUtilization(m, "current") is { } percent && status["currentCPUUtilizationPercentage"] is null)
                        status["currentCPUUtilizationPercentage"] = percent;
                    else
                        others.Add(m!.DeepClone());
                }
                if (others.Count > 0)
                    extras[CurrentMetricsAnnotation] = others;
            }
            if (status.Remove("conditions", out var conditions) && conditions is JsonArray { Count: > 0 })
                extras[ConditionsAnnotation] = conditions;
            status["desiredReplicas"] ??= 0;
        }
        if (extras.Count > 0 && v1["metadata"] is JsonObject metadata)
        {
            var annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
            foreach (var (key, value) in extras)
                annotations[key] = value.ToJsonString();
            metadata["annotations"] = annotations;
        }
        return v1;
    }

    private static JsonObject CpuMetric(string field, JsonNode percent) => new()
    {
        ["type"] = "Resource",
        ["resource"] = new JsonObject
        {
            ["name"] = "cpu",
            [field] = field == "target" ? new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = percent } : new JsonObject { ["averageUtilization"] = percent },
        },
    };

    /// <summary>The percentage of a cpu Resource metric with a utilization (its "target" or "current"), else null.</summary>
    private static JsonNode? IsCpuUtilization(JsonNode? metric, string field) =>
        (string?)metric?["type"] == "Resource" && (string?)metric?["resource"]?["name"] == "cpu"
        && (field == "current" || (string?)metric?["resource"]?[field]?["type"] == "Utilization")
            ? metric?["resource"]?[field]?["averageUtilization"]?.DeepClone()
            : null;

    /// <summary>Removes a JSON-valued annotation and returns its value parsed (null when absent or not JSON).</summary>
    private static JsonNode? Take(JsonObject? annotations, string key)
    {
        if (annotations is null || !annotations.Remove(key, out var value) || value?.GetValueKind() != System.Text.Json.JsonValueKind.String)
            return null;
        try
        {
            return JsonNode.Parse((string)value!);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
