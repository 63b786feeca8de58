using Granary.Api;
using Granary.Metrics;

namespace Granary.Grains.Metrics;

/// <summary>
/// Keeps a node's last two usage samples in memory and serves the rates between them. Nothing is stored: usage is
/// only worth its freshness, and the agent's next two reports refill a new activation within two resolutions.
/// </summary>
public sealed class NodeMetricsGrain : Grain, INodeMetricsGrain
{
    private UsageSample? _earlier;
    private UsageSample? _later;
    private NodeUsage? _usage;

    public Task ReportAsync(UsageSample sample)
    {
        if (_later is { } last && sample.Timestamp <= last.Timestamp)
            return Task.CompletedTask;
        _earlier = _later;
        _later = sample;
        _usage = _earlier is { } earlier ? UsageRates.Compute(this.GetPrimaryKeyString(), earlier, sample) : null;
        return Task.CompletedTask;
    }

    public Task<NodeUsage?> GetUsageAsync() => Task.FromResult(_usage);
}
