using System.Collections.Immutable;
using Granary.Api;
using Granary.Metrics;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Metrics;

/// <summary>
/// Reads the usage of this node's running pod containers and of the node at each resolution and pushes it to the node's
/// metrics grain, which turns two readings into rates (metrics-server's scrape, turned around: the agent already holds a
/// connection to the cluster, so no silo has to dial a thousand agents). A reading that cannot be sent is dropped: the
/// next one replaces it.
/// </summary>
public sealed partial class UsageReporter(IContainerRuntime runtime, ControlPlaneLink link, ControlPlaneRefusals refusals,
    IOptions<AgentSettings> settings, TimeProvider time, ILogger<UsageReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Statistics are the driver's: the runtime the agent calls may be a decorator around it (timing).
        if (runtime.Driver() is not IContainerStatistics statistics)
        {
            LogUnsupported(logger, runtime.Name);
            return;
        }
        using var timer = new PeriodicTimer(settings.Value.MetricsResolution, time);
        var failing = false;
        do
        {
            if (link.Connection is not { } connection)
                continue;
            try
            {
                var sample = await ReadAsync(statistics, stoppingToken);
                await refusals.CallAsync(AgentCall.ReportUsage, link.NodeName,
                    () => connection.Client.Grains.GetGrain<INodeMetricsGrain>(link.NodeName).ReportAsync(sample));
                failing = false;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or Errors.GranaryException or RuntimeException or IOException)
            {
                if (!failing)
                    LogReportFailed(logger, link.NodeName, e.Message);
                failing = true;
            }
        }
        while (await NextAsync(timer, stoppingToken));
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One reading of every running pod container of this node, then the node's own.</summary>
    private async Task<UsageSample> ReadAsync(IContainerStatistics statistics, CancellationToken ct)
    {
        var labels = new Dictionary<string, string> { [ContainerLabels.ManagedBy] = ContainerLabels.ManagedByValue, [ContainerLabels.Node] = link.NodeName };
        var containers = ImmutableArray.CreateBuilder<ContainerReading>();
        foreach (var c in await runtime.ListAsync(labels, ct))
        {
            if (c.State != ContainerRunState.Running || !c.Labels.TryGetValue(ContainerLabels.PodUid, out var uid)
                || !c.Labels.TryGetValue(ContainerLabels.PodNamespace, out var ns) || !c.Labels.TryGetValue(ContainerLabels.PodName, out var pod)
                || !c.Labels.TryGetValue(ContainerLabels.Container, out var name))
            {
                continue;
            }
            if (await statistics.ContainerUsageAsync(c.Id, ct) is { } usage)
                containers.Add(new ContainerReading(ns, pod, uid, name, c.Id, usage));
        }
        var node = statistics.NodeUsage([.. containers.Select(c => c.Usage)]);
        return new UsageSample(time.GetUtcNow(), node, containers.ToImmutable());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Runtime} runtime reports no resource usage; this node has no metrics")]
    private static partial void LogUnsupported(ILogger logger, string runtime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report the usage of node {Node} ({Reason}); trying again at the next resolution")]
    private static partial void LogReportFailed(ILogger logger, string node, string reason);
}
