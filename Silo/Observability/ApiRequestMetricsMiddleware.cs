namespace Granary.Silo.Observability;

/// <summary>Where the API's request metrics sit in its pipeline (<see cref="ApiRequestMetrics"/>).</summary>
internal static class ApiRequestMetricsMiddleware
{
    /// <summary>First in the pipeline, outside the error handler: counts and times every request that reaches authorization.</summary>
    public static void UseApiRequestMetrics(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<ApiRequestMetrics>();
        app.Use((context, next) => metrics.MeasureAsync(context, next));
    }

    /// <summary>Right after authorization: counts the open long-running requests.</summary>
    public static void UseLongRunningRequestMetrics(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<ApiRequestMetrics>();
        app.Use((context, next) => metrics.TrackLongRunningAsync(context, next));
    }
}
