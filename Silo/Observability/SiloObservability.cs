using System.Net;
using Granary.Grains.Scheduling;
using Granary.NodeAgent.Observability;
using Granary.Silo.Api;

namespace Granary.Silo.Observability;

/// <summary>
/// Wiring of what an operator watches a silo with: the /metrics pipeline with the silo's meters (API requests, the
/// scheduler, cluster state, the silo's memory and caps, the embedded agent's kubelet metrics, Orleans' own, .NET's and
/// the process's), and the Orleans Dashboard's listener when <c>--dashboard-port</c> is given.
/// </summary>
internal static class SiloObservability
{
    // Orleans 10 publishes its instruments (activations, messaging, storage latency, …) on this meter.
    private const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Registers both; the problem with the dashboard's settings, if any.</summary>
    public static string? Add(WebApplicationBuilder builder, SiloSettings settings)
    {
        builder.Services.AddGranaryMetrics(ApiRequestMetrics.MeterName, SchedulerMetrics.MeterName, ClusterStateMetrics.MeterName,
            MetricsEndpoint.MeterName, KubeletMetrics.MeterName, OrleansMeter);
        builder.Services.AddSingleton<ApiRequestMetrics>();
        builder.Services.AddSingleton<ClusterStateMetrics>();
        builder.Services.AddSingleton<MetricsEndpoint>();

        if (settings.DashboardPort is not { } port)
            return null;
        if (port is < 1 or > 65535)
            return $"--dashboard-port {port} is not a port (1-65535)";
        if (port == settings.EffectiveApiPort)
            return $"--dashboard-port {port} is the API's port: the dashboard needs a port of its own";
        if (!IPAddress.TryParse(settings.DashboardAddress, out var address))
            return $"--dashboard-address {settings.DashboardAddress} is not an IP address";
        builder.Services.AddSingleton(new DashboardListener(port));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port));
        return null;
    }
}
