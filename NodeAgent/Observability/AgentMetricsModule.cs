using Granary.NodeAgent.Server;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry.Metrics;

namespace Granary.NodeAgent.Observability;

/// <summary>
/// /metrics on the agent's server, where the kubelet serves its own: on the node's TLS port, behind the same client
/// certificate check as logs and exec, so it is read through the API server's node proxy
/// (<c>/api/v1/nodes/NAME/proxy/metrics</c>, RBAC <c>get</c> on <c>nodes/proxy</c>), the path Prometheus's kubelet
/// scrape configs use. A host without a metrics pipeline (<see cref="MetricsPipeline"/>) serves none.
/// </summary>
public sealed class AgentMetricsModule(IServiceProvider services) : IAgentServerModule
{
    public void Map(IEndpointRouteBuilder routes)
    {
        if (services.GetService(typeof(MeterProvider)) is MeterProvider provider)
            routes.MapGranaryMetrics(provider);
    }
}
