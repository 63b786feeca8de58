using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// A set of pods with stable identities (apps/v1 StatefulSet): pods named "&lt;set&gt;-&lt;ordinal&gt;", each with its own
/// claims made from <see cref="StatefulSetSpec.VolumeClaimTemplates"/>, created, updated and removed in ordinal order.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.StatefulSet")]
public sealed record StatefulSet : IResource<StatefulSet>, IScalable
{
    public static ResourceKind ResourceKind => ResourceKinds.StatefulSet;

    [Id(0)] public string ApiVersion { get; init; } = "apps/v1";
    [Id(1)] public string Kind { get; init; } = "StatefulSet";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public StatefulSetSpec Spec { get; init; } = new();
    [Id(4)] public StatefulSetStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };

    int IScalable.DesiredReplicas => Spec.Replicas ?? 1;

    int IScalable.ObservedReplicas => Status?.Replicas ?? 0;

    LabelSelectorSpec? IScalable.PodSelector => Spec.Selector;

    IScalable IScalable.WithReplicas(int replicas) => this with { Spec = Spec with { Replicas = replicas } };
}

[GenerateSerializer, Immutable, Alias("granary.StatefulSetSpec")]
public sealed record StatefulSetSpec
{
    [Id(0)] public int? Replicas { get; init; }
    [Id(1)] public LabelSelectorSpec? Selector { get; init; }
    [Id(2)] public PodTemplateSpec? Template { get; init; }

    /// <summary>The claims every pod gets, one per template, named "&lt;template&gt;-&lt;set&gt;-&lt;ordinal&gt;".</summary>
    [Id(3)] public ImmutableList<PersistentVolumeClaim>? VolumeClaimTemplates { get; init; }

    /// <summary>The headless Service that gives the pods their DNS names (the pods' subdomain). Optional since 1.32.</summary>
    [Id(4)] public string? ServiceName { get; init; }

    /// <summary>OrderedReady (the default: one pod at a time, in order) or Parallel.</summary>
    [Id(5)] public string? PodManagementPolicy { get; init; }

    [Id(6)] public StatefulSetUpdateStrategy? UpdateStrategy { get; init; }
    [Id(7)] public int? RevisionHistoryLimit { get; init; }
    [Id(8)] public int? MinReadySeconds { get; init; }
    [Id(9)] public StatefulSetPersistentVolumeClaimRetentionPolicy? PersistentVolumeClaimRetentionPolicy { get; init; }
    [Id(10)] public StatefulSetOrdinals? Ordinals { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.StatefulSetUpdateStrategy")]
public sealed record StatefulSetUpdateStrategy
{
    public const string RollingUpdateType = "RollingUpdate";
    public const string OnDeleteType = "OnDelete";

    [Id(0)] public string? Type { get; init; }
    [Id(1)] public RollingUpdateStatefulSetStrategy? RollingUpdate { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.RollingUpdateStatefulSetStrategy")]
public sealed record RollingUpdateStatefulSetStrategy
{
    /// <summary>Pods with an ordinal index below this keep the current revision during a rolling update.</summary>
    [Id(0)] public int? Partition { get; init; }

    /// <summary>kube's MaxUnavailableStatefulSet (alpha, off in 1.32): accepted and validated, updates stay one at a time.</summary>
    [Id(1)] public IntOrString? MaxUnavailable { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.StatefulSetPersistentVolumeClaimRetentionPolicy")]
public sealed record StatefulSetPersistentVolumeClaimRetentionPolicy
{
    public const string Retain = "Retain";
    public const string Delete = "Delete";

    [Id(0)] public string? WhenDeleted { get; init; }
    [Id(1)] public string? WhenScaled { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.StatefulSetOrdinals")]
public sealed record StatefulSetOrdinals
{
    [Id(0)] public int Start { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.StatefulSetStatus")]
public sealed record StatefulSetStatus
{
    [Id(0)] public long? ObservedGeneration { get; init; }
    [Id(1)] public int Replicas { get; init; }
    [Id(2)] public int ReadyReplicas { get; init; }
    [Id(3)] public int CurrentReplicas { get; init; }
    [Id(4)] public int UpdatedReplicas { get; init; }
    [Id(5)] public string? CurrentRevision { get; init; }
    [Id(6)] public string? UpdateRevision { get; init; }
    [Id(7)] public int? CollisionCount { get; init; }
    [Id(8)] public ImmutableList<StatefulSetCondition>? Conditions { get; init; }
    [Id(9)] public int AvailableReplicas { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.StatefulSetCondition")]
public sealed record StatefulSetCondition
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Status { get; init; } = "";
    [Id(2)] public DateTimeOffset? LastTransitionTime { get; init; }
    [Id(3)] public string? Reason { get; init; }
    [Id(4)] public string? Message { get; init; }
}

/// <summary>The two pod management policies of a StatefulSet.</summary>
public static class PodManagementPolicies
{
    public const string OrderedReady = "OrderedReady";
    public const string Parallel = "Parallel";
}
