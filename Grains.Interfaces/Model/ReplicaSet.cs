using System.Collections.Immutable;

namespace Granary.Model;

[GenerateSerializer, Immutable, Alias("granary.ReplicaSet")]
public sealed record ReplicaSet : IResource<ReplicaSet>, IScalable
{
    public static ResourceKind ResourceKind => ResourceKinds.ReplicaSet;

    [Id(0)] public string ApiVersion { get; init; } = "apps/v1";
    [Id(1)] public string Kind { get; init; } = "ReplicaSet";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ReplicaSetSpec Spec { get; init; } = new();
    [Id(4)] public ReplicaSetStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };

    int IScalable.DesiredReplicas => Spec.Replicas ?? 1;

    int IScalable.ObservedReplicas => Status?.Replicas ?? 0;

    LabelSelectorSpec? IScalable.PodSelector => Spec.Selector;

    IScalable IScalable.WithReplicas(int replicas) => this with { Spec = Spec with { Replicas = replicas } };
}

[GenerateSerializer, Immutable, Alias("granary.ReplicaSetSpec")]
public sealed record ReplicaSetSpec
{
    [Id(0)] public int? Replicas { get; init; }
    [Id(1)] public int? MinReadySeconds { get; init; }
    [Id(2)] public LabelSelectorSpec? Selector { get; init; }
    [Id(3)] public PodTemplateSpec? Template { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ReplicaSetStatus")]
public sealed record ReplicaSetStatus
{
    [Id(0)] public int Replicas { get; init; }
    [Id(1)] public int FullyLabeledReplicas { get; init; }
    [Id(2)] public int ReadyReplicas { get; init; }
    [Id(3)] public int AvailableReplicas { get; init; }
    [Id(4)] public long? ObservedGeneration { get; init; }
    [Id(5)] public ImmutableList<ReplicaSetCondition>? Conditions { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ReplicaSetCondition")]
public sealed record ReplicaSetCondition
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Status { get; init; } = "";
    [Id(2)] public DateTimeOffset? LastTransitionTime { get; init; }
    [Id(3)] public string? Reason { get; init; }
    [Id(4)] public string? Message { get; init; }
}
