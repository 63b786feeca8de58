using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Granary.NodeAgent.Observability;

/// <summary>
/// The one metrics pipeline of a Granary process (a silo or an agent): OpenTelemetry collects the named meters, the
/// .NET runtime's and the process's, and its Prometheus exporter renders them at /metrics. Instruments are created
/// by the components that own the numbers; this only decides what is collected and how it is served.
/// </summary>
public static class MetricsPipeline
{
    /// <summary>Collects <paramref name="meters"/> plus the runtime and process meters, for a Prometheus scrape.</summary>
    public static IServiceCollection AddGranaryMetrics(this IServiceCollection services, params string[] meters)
    {
        services.AddMetrics();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(meters)
            .AddRuntimeInstrumentation()
            .AddProcessInstrumentation()
            .AddPrometheusExporter(prometheus =>
            {
                // Every scrape sees the numbers of that moment, as kube's /metrics does; scrapers come every few seconds at most.
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                // Series keep kube's label sets (no otel_scope_* labels), so dashboards written for kube match them.
                prometheus.ScopeInfoEnabled = false;
            }));
        return services;
    }

    /// <summary>
    /// Serves /metrics from <paramref name="provider"/> (the host's), for a server whose own services do not hold the
    /// provider (the agent's server is an application apart from the agent's host).
    /// </summary>
    public static IEndpointConventionBuilder MapGranaryMetrics(this IEndpointRouteBuilder routes, MeterProvider? provider = null) =>
        routes.MapPrometheusScrapingEndpoint("/metrics", provider, configureBranchedPipeline: null, optionsName: null);
}
