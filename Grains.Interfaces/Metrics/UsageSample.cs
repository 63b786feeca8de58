using System.Collections.Immutable;

namespace Granary.Metrics;

/// <summary>
/// One reading of a node's resource usage, as the kubelet's /metrics/resource reports it: cumulative CPU time (so a
/// rate needs two readings) and the memory working set (usage minus inactive file pages, what the OOM killer counts).
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.UsageSample")]
public sealed record UsageSample(
    [property: Id(0)] DateTimeOffset Timestamp,
    [property: Id(1)] ResourceReading Node,
    [property: Id(2)] ImmutableArray<ContainerReading> Containers);

/// <summary>Cumulative CPU time in nanoseconds and the memory working set in bytes.</summary>
[GenerateSerializer, Immutable, Alias("granary.ResourceReading")]
public sealed record ResourceReading(
    [property: Id(0)] ulong CpuNanoseconds,
    [property: Id(1)] long MemoryWorkingSetBytes);

/// <summary>
/// One running container's reading. <see cref="ContainerId"/> tells a restarted container (whose CPU counter began
/// again) from the one read before.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.ContainerReading")]
public sealed record ContainerReading(
    [property: Id(0)] string Namespace,
    [property: Id(1)] string Pod,
    [property: Id(2)] string PodUid,
    [property: Id(3)] string Container,
    [property: Id(4)] string ContainerId,
    [property: Id(5)] ResourceReading Usage);
