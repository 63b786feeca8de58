using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// An autoscaling/v2 HorizontalPodAutoscaler: keeps the replicas of a scalable object (through its scale subresource)
/// between <see cref="HorizontalPodAutoscalerSpec.MinReplicas"/> and <see cref="HorizontalPodAutoscalerSpec.MaxReplicas"/>
/// so that its pods' CPU or memory meet a target, from the metrics API. The object's grain is its controller.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.HorizontalPodAutoscaler")]
public sealed record HorizontalPodAutoscaler : IResource<HorizontalPodAutoscaler>
{
    public static ResourceKind ResourceKind => ResourceKinds.HorizontalPodAutoscaler;

    [Id(0)] public string ApiVersion { get; init; } = "autoscaling/v2";
    [Id(1)] public string Kind { get; init; } = "HorizontalPodAutoscaler";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public HorizontalPodAutoscalerSpec Spec { get; init; } = new();
    [Id(4)] public HorizontalPodAutoscalerStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.HorizontalPodAutoscalerSpec")]
public sealed record HorizontalPodAutoscalerSpec
{
    [Id(0)] public CrossVersionObjectReference ScaleTargetRef { get; init; } = new();
    [Id(1)] public int? MinReplicas { get; init; }
    [Id(2)] public int MaxReplicas { get; init; }
    [Id(3)] public ImmutableList<MetricSpec>? Metrics { get; init; }
    [Id(4)] public HorizontalPodAutoscalerBehavior? Behavior { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.CrossVersionObjectReference")]
public sealed record CrossVersionObjectReference
{
    [Id(0)] public string Kind { get; init; } = "";
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public string? ApiVersion { get; init; }
}

/// <summary>One metric to scale on. Of kube's types (Resource, ContainerResource, Pods, Object, External), Granary serves Resource.</summary>
[GenerateSerializer, Immutable, Alias("granary.MetricSpec")]
public sealed record MetricSpec
{
    public const string ResourceType = "Resource";

    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public ResourceMetricSource? Resource { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ResourceMetricSource")]
public sealed record ResourceMetricSource
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public MetricTarget Target { get; init; } = new();
}

[GenerateSerializer, Immutable, Alias("granary.MetricTarget")]
public sealed record MetricTarget
{
    public const string UtilizationType = "Utilization";
    public const string AverageValueType = "AverageValue";
    public const string ValueType = "Value";

    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public Quantity? Value { get; init; }
    [Id(2)] public Quantity? AverageValue { get; init; }
    [Id(3)] public int? AverageUtilization { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.HorizontalPodAutoscalerBehavior")]
public sealed record HorizontalPodAutoscalerBehavior
{
    [Id(0)] public HpaScalingRules? ScaleUp { get; init; }
    [Id(1)] public HpaScalingRules? ScaleDown { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.HpaScalingRules")]
public sealed record HpaScalingRules
{
    public const string MaxChange = "Max";
    public const string MinChange = "Min";
    public const string Disabled = "Disabled";

    [Id(0)] public int? StabilizationWindowSeconds { get; init; }
    [Id(1)] public string? SelectPolicy { get; init; }
    [Id(2)] public ImmutableList<HpaScalingPolicy>? Policies { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.HpaScalingPolicy")]
public sealed record HpaScalingPolicy
{
    public const string Pods = "Pods";
    public const string Percent = "Percent";

    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public int Value { get; init; }
    [Id(2)] public int PeriodSeconds { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.HorizontalPodAutoscalerStatus")]
public sealed record HorizontalPodAutoscalerStatus
{
    [Id(0)] public long? ObservedGeneration { get; init; }
    [Id(1)] public DateTimeOffset? LastScaleTime { get; init; }
    [Id(2)] public int? CurrentReplicas { get; init; }
    [Id(3)] public int DesiredReplicas { get; init; }
    [Id(4)] public ImmutableList<MetricStatus>? CurrentMetrics { get; init; }
    [Id(5)] public ImmutableList<Condition>? Conditions { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.MetricStatus")]
public sealed record MetricStatus
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public ResourceMetricStatus? Resource { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ResourceMetricStatus")]
public sealed record ResourceMetricStatus
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public MetricValueStatus Current { get; init; } = new();
}

[GenerateSerializer, Immutable, Alias("granary.MetricValueStatus")]
public sealed record MetricValueStatus
{
    [Id(0)] public Quantity? Value { get; init; }
    [Id(1)] public Quantity? AverageValue { get; init; }
    [Id(2)] public int? AverageUtilization { get; init; }
}
