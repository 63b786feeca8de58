using Orleans.Dashboard;

namespace Granary.Silo.Observability;

/// <summary>
/// The Orleans Dashboard (grains, silos, calls, reminders) on its own port of the silo's host, when
/// <c>--dashboard-port</c> turns it on. It has no authentication of its own, so it never shares the API's port and
/// listens on loopback unless <c>--dashboard-address</c> says otherwise. A request on its port is served by a dashboard
/// endpoint or answered 404: nothing of the Kubernetes API is reachable there.
/// </summary>
internal static class DashboardEndpoint
{
    public const string RoutePrefix = "/dashboard";

    public static void Map(WebApplication app)
    {
        if (app.Services.GetService<DashboardListener>() is not { } listener)
            return;
        var port = listener.Port;
        app.MapOrleansDashboard(RoutePrefix).RequireHost($"*:{port}").WithMetadata(DashboardMarker.Instance);
        // The host's routing (first in its pipeline) has matched the request already; on this port only a dashboard
        // endpoint is run, never one of the API's, and the API's middleware (its authentication among them) is not reached.
        app.MapWhen(context => context.Connection.LocalPort == port, dashboard => dashboard.Run(context =>
            context.GetEndpoint() is { RequestDelegate: { } serve } endpoint && endpoint.Metadata.GetMetadata<DashboardMarker>() is not null
                ? serve(context)
                : Results.NotFound($"the Orleans Dashboard is at {RoutePrefix}/ on this port; the Kubernetes API is on its own port").ExecuteAsync(context)));
    }

    /// <summary>Marks the dashboard's endpoints.</summary>
    private sealed class DashboardMarker
    {
        public static readonly DashboardMarker Instance = new();
    }
}

/// <summary>Where the dashboard listens; registered only when it is on.</summary>
internal sealed record DashboardListener(int Port);
