namespace Granary.Model;

/// <summary>A condition in the shape of meta/v1 Condition, which the newer kinds (policy/v1, batch/v1's successors) use.</summary>
[GenerateSerializer, Immutable, Alias("granary.Condition")]
public sealed record Condition
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Status { get; init; } = "";
    [Id(2)] public long? ObservedGeneration { get; init; }
    [Id(3)] public DateTimeOffset? LastTransitionTime { get; init; }
    [Id(4)] public string Reason { get; init; } = "";
    [Id(5)] public string Message { get; init; } = "";
}
