namespace Granary.NodeAgent.Runtime.Simulated;

/// <summary>
/// What every running simulated container reports to the metrics API: a steady CPU rate and a fixed working set. The
/// default is a small idle process's (1m, 4 MiB), so hollow nodes give kubectl top and autoscalers honest non-zero numbers.
/// </summary>
public sealed record SimulatedUsage(long CpuMillicores, long MemoryBytes)
{
    public static readonly SimulatedUsage Default = new(1, 4 * 1024 * 1024);
}
