using System.Collections.Immutable;

namespace Granary.Metrics;

/// <summary>
/// Usage over one window (between two samples): CPU in nanocores (cores × 10⁹, the rate of the cumulative counter) and
/// the memory working set at the window's end, as metrics-server serves it.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.Usage")]
public sealed record Usage(
    [property: Id(0)] long CpuNanocores,
    [property: Id(1)] long MemoryBytes);

/// <summary>A node's usage and that of the pods on it whose every container was read in both samples.</summary>
[GenerateSerializer, Immutable, Alias("granary.NodeUsage")]
public sealed record NodeUsage(
    [property: Id(0)] string Node,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] TimeSpan Window,
    [property: Id(3)] Usage Usage,
    [property: Id(4)] ImmutableArray<PodUsage> Pods);

[GenerateSerializer, Immutable, Alias("granary.PodUsage")]
public sealed record PodUsage(
    [property: Id(0)] string Namespace,
    [property: Id(1)] string Name,
    [property: Id(2)] string Uid,
    [property: Id(3)] ImmutableArray<ContainerUsage> Containers);

[GenerateSerializer, Immutable, Alias("granary.ContainerUsage")]
public sealed record ContainerUsage(
    [property: Id(0)] string Name,
    [property: Id(1)] Usage Usage);
