using Granary.Metrics;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// The resource usage of one node and its containers (key: the node name), as metrics-server keeps it: the agent pushes
/// a sample of cumulative CPU time and memory working set at each resolution; the grain keeps the last two and serves
/// the CPU rate between them. Held in memory only: a new activation serves nothing until two samples arrived, as
/// metrics-server after a restart.
/// </summary>
[Alias("granary.INodeMetricsGrain")]
public interface INodeMetricsGrain : IGrainWithStringKey
{
    /// <summary>
    /// The node's agent reports one sample. Idempotent for a sample no newer than the last (it is dropped). Only the
    /// node's own agent may report (as it may update its node's status).
    /// </summary>
    [Alias("Report")]
    Task ReportAsync(UsageSample sample);

    /// <summary>The usage between the last two samples, or null while fewer than two were reported. Read-only.</summary>
    [Alias("GetUsage"), ReadOnly]
    Task<NodeUsage?> GetUsageAsync();
}
