using System.Collections.Immutable;

namespace Granary.Model;

[GenerateSerializer, Immutable, Alias("granary.Deployment")]
public sealed record Deployment : IResource<Deployment>, IScalable
{
    public static ResourceKind ResourceKind => ResourceKinds.Deployment;

    [Id(0)] public string ApiVersion { get; init; } = "apps/v1";
    [Id(1)] public string Kind { get; init; } = "Deployment";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public DeploymentSpec Spec { get; init; } = new();
    [Id(4)] public DeploymentStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };

    int IScalable.DesiredReplicas => Spec.Replicas ?? 1;

    int IScalable.ObservedReplicas => Status?.Replicas ?? 0;

    LabelSelectorSpec? IScalable.PodSelector => Spec.Selector;

    IScalable IScalable.WithReplicas(int replicas) => this with { Spec = Spec with { Replicas = replicas } };
}

[GenerateSerializer, Immutable, Alias("granary.DeploymentSpec")]
public sealed record DeploymentSpec
{
    [Id(0)] public int? Replicas { get; init; }
    [Id(1)] public LabelSelectorSpec? Selector { get; init; }
    [Id(2)] public PodTemplateSpec? Template { get; init; }
    [Id(3)] public DeploymentStrategy? Strategy { get; init; }
    [Id(4)] public int? MinReadySeconds { get; init; }
    [Id(5)] public int? RevisionHistoryLimit { get; init; }
    [Id(6)] public bool? Paused { get; init; }
    [Id(7)] public int? ProgressDeadlineSeconds { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.DeploymentStrategy")]
public sealed record DeploymentStrategy
{
    public const string RollingUpdateType = "RollingUpdate";
    public const string RecreateType = "Recreate";

    /// <summary>RollingUpdate (the default) or Recreate.</summary>
    [Id(0)] public string? Type { get; init; }
    [Id(1)] public RollingUpdateDeployment? RollingUpdate { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.RollingUpdateDeployment")]
public sealed record RollingUpdateDeployment
{
    /// <summary>Pods that may be unavailable during the update: a count or a percentage of replicas ("25%").</summary>
    [Id(0)] public IntOrString? MaxUnavailable { get; init; }

    /// <summary>Pods that may exist above the desired count during the update: a count or a percentage ("25%").</summary>
    [Id(1)] public IntOrString? MaxSurge { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.DeploymentStatus")]
public sealed record DeploymentStatus
{
    [Id(0)] public long? ObservedGeneration { get; init; }
    [Id(1)] public int Replicas { get; init; }
    [Id(2)] public int UpdatedReplicas { get; init; }
    [Id(3)] public int ReadyReplicas { get; init; }
    [Id(4)] public int AvailableReplicas { get; init; }
    [Id(5)] public int UnavailableReplicas { get; init; }
    [Id(6)] public ImmutableList<DeploymentCondition>? Conditions { get; init; }
    [Id(7)] public int? CollisionCount { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.DeploymentCondition")]
public sealed record DeploymentCondition
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Status { get; init; } = "";
    [Id(2)] public DateTimeOffset? LastUpdateTime { get; init; }
    [Id(3)] public DateTimeOffset? LastTransitionTime { get; init; }
    [Id(4)] public string? Reason { get; init; }
    [Id(5)] public string? Message { get; init; }
}
