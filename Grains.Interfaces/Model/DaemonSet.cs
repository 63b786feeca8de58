using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>A pod on every eligible node (apps/v1 DaemonSet): node agents, log shippers, monitoring.</summary>
[GenerateSerializer, Immutable, Alias("granary.DaemonSet")]
public sealed record DaemonSet : IResource<DaemonSet>
{
    public static ResourceKind ResourceKind => ResourceKinds.DaemonSet;

    [Id(0)] public string ApiVersion { get; init; } = "apps/v1";
    [Id(1)] public string Kind { get; init; } = "DaemonSet";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public DaemonSetSpec Spec { get; init; } = new();
    [Id(4)] public DaemonSetStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.DaemonSetSpec")]
public sealed record DaemonSetSpec
{
    [Id(0)] public LabelSelectorSpec? Selector { get; init; }
    [Id(1)] public PodTemplateSpec? Template { get; init; }
    [Id(2)] public DaemonSetUpdateStrategy? UpdateStrategy { get; init; }
    [Id(3)] public int? MinReadySeconds { get; init; }
    [Id(4)] public int? RevisionHistoryLimit { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.DaemonSetUpdateStrategy")]
public sealed record DaemonSetUpdateStrategy
{
    public const string RollingUpdateType = "RollingUpdate";
    public const string OnDeleteType = "OnDelete";

    /// <summary>RollingUpdate (the default) or OnDelete (a pod is replaced only once someone deletes it).</summary>
    [Id(0)] public string? Type { get; init; }
    [Id(1)] public RollingUpdateDaemonSet? RollingUpdate { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.RollingUpdateDaemonSet")]
public sealed record RollingUpdateDaemonSet
{
    /// <summary>Nodes whose pod may be unavailable during the update: a count or a percentage of desired nodes.</summary>
    [Id(0)] public IntOrString? MaxUnavailable { get; init; }

    /// <summary>Nodes that may run an old and a new pod at once during the update (the new one starts first).</summary>
    [Id(1)] public IntOrString? MaxSurge { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.DaemonSetStatus")]
public sealed record DaemonSetStatus
{
    /// <summary>Nodes that run at least one daemon pod and should.</summary>
    [Id(0)] public int CurrentNumberScheduled { get; init; }

    /// <summary>Nodes that run a daemon pod but should not.</summary>
    [Id(1)] public int NumberMisscheduled { get; init; }

    /// <summary>Nodes that should run the daemon pod.</summary>
    [Id(2)] public int DesiredNumberScheduled { get; init; }
    [Id(3)] public int NumberReady { get; init; }
    [Id(4)] public long? ObservedGeneration { get; init; }
    [Id(5)] public int UpdatedNumberScheduled { get; init; }
    [Id(6)] public int NumberAvailable { get; init; }
    [Id(7)] public int NumberUnavailable { get; init; }
    [Id(8)] public int? CollisionCount { get; init; }
    [Id(9)] public ImmutableList<DaemonSetCondition>? Conditions { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.DaemonSetCondition")]
public sealed record DaemonSetCondition
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Status { get; init; } = "";
    [Id(2)] public DateTimeOffset? LastTransitionTime { get; init; }
    [Id(3)] public string? Reason { get; init; }
    [Id(4)] public string? Message { get; init; }
}
