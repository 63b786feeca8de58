using System.Text.Json.Nodes;
using Granary.Silo.Api.Autoscaling;

namespace Granary.Tests.Unit.Autoscaling;

/// <summary>autoscaling/v1 ↔ v2 as kube-apiserver converts a HorizontalPodAutoscaler.</summary>
public sealed class HpaV1ConversionTests
{
    [Fact]
    public void ToV2_OfKubectlAutoscalesObject_IsACpuUtilizationMetric()
    {
        var v1 = JsonNode.Parse("""
            {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},
             "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":5,"targetCPUUtilizationPercentage":50}}
            """)!.AsObject();

        var v2 = HpaV1Conversion.ToV2(v1);

        Assert.Equal("autoscaling/v2", (string?)v2["apiVersion"]);
        Assert.Null(v2["spec"]!["targetCPUUtilizationPercentage"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]"""), v2["spec"]!["metrics"]));
    }

    [Fact]
    public void ToV1_KeepsWhatV1CannotSayInAnnotations_AndToV2GivesItBack()
    {
        var v2 = JsonNode.Parse("""
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":5,
                     "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}},
                                {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}}]},
             "status":{"currentReplicas":2,"desiredReplicas":3,
                       "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageValue":"300m","averageUtilization":75}}}],
                       "conditions":[{"type":"AbleToScale","status":"True","reason":"SucceededRescale","message":"m"}]}}
            """)!.AsObject();

        var v1 = HpaV1Conversion.ToV1(v2);

        Assert.Equal(50, (int)v1["spec"]!["targetCPUUtilizationPercentage"]!);
        Assert.Equal(75, (int)v1["status"]!["currentCPUUtilizationPercentage"]!);
        Assert.NotNull(v1["metadata"]!["annotations"]![HpaV1Conversion.MetricsAnnotation]);
        Assert.NotNull(v1["metadata"]!["annotations"]![HpaV1Conversion.ConditionsAnnotation]);
        var back = HpaV1Conversion.ToV2(v1);
        Assert.True(JsonNode.DeepEquals(v2["spec"], back["spec"]), back["spec"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(v2["status"]!["conditions"], back["status"]!["conditions"]));
        Assert.Empty(back["metadata"]!["annotations"]!.AsObject());
    }
}
