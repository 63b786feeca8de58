using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// A limit on voluntary disruptions of a set of pods (policy/v1 PodDisruptionBudget): evictions through the eviction API
/// are refused while fewer than <see cref="PodDisruptionBudgetSpec.MinAvailable"/> of the selected pods would stay
/// healthy (or more than <see cref="PodDisruptionBudgetSpec.MaxUnavailable"/> would be gone). The object's grain is its
/// controller: it writes the status that evictions read and decrement.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.PodDisruptionBudget")]
public sealed record PodDisruptionBudget : IResource<PodDisruptionBudget>
{
    public static ResourceKind ResourceKind => ResourceKinds.PodDisruptionBudget;

    [Id(0)] public string ApiVersion { get; init; } = "policy/v1";
    [Id(1)] public string Kind { get; init; } = "PodDisruptionBudget";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public PodDisruptionBudgetSpec Spec { get; init; } = new();
    [Id(4)] public PodDisruptionBudgetStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.PodDisruptionBudgetSpec")]
public sealed record PodDisruptionBudgetSpec
{
    /// <summary>The values of <see cref="UnhealthyPodEvictionPolicy"/>.</summary>
    public const string IfHealthyBudget = "IfHealthyBudget";
    public const string AlwaysAllow = "AlwaysAllow";

    [Id(0)] public IntOrString? MinAvailable { get; init; }
    [Id(1)] public LabelSelectorSpec? Selector { get; init; }
    [Id(2)] public IntOrString? MaxUnavailable { get; init; }

    /// <summary>
    /// Whether running pods that are not ready may be evicted although the budget is short: IfHealthyBudget (the
    /// default: only while the budget is met) or AlwaysAllow.
    /// </summary>
    [Id(3)] public string? UnhealthyPodEvictionPolicy { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PodDisruptionBudgetStatus")]
public sealed record PodDisruptionBudgetStatus
{
    /// <summary>The condition the controller keeps, and its reasons (kube's policy/v1 constants).</summary>
    public const string DisruptionAllowed = "DisruptionAllowed";
    public const string SufficientPods = "SufficientPods";
    public const string InsufficientPods = "InsufficientPods";
    public const string SyncFailed = "SyncFailed";

    [Id(0)] public long? ObservedGeneration { get; init; }

    /// <summary>
    /// Pods an eviction was granted for, by name, with the time it was granted: not counted as healthy until they go,
    /// or until the controller gives up waiting for them (two minutes).
    /// </summary>
    [Id(1)] public ImmutableSortedDictionary<string, DateTimeOffset>? DisruptedPods { get; init; }

    [Id(2)] public int DisruptionsAllowed { get; init; }
    [Id(3)] public int CurrentHealthy { get; init; }
    [Id(4)] public int DesiredHealthy { get; init; }
    [Id(5)] public int ExpectedPods { get; init; }
    [Id(6)] public ImmutableList<Condition>? Conditions { get; init; }
}
