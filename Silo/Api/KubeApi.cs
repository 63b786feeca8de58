using System.Net;

namespace Granary.Silo.Api;

/// <summary>
/// The Kubernetes HTTP API edge of the silo (plain HTTP, loopback by default; no authentication yet).
/// It holds no state: every request becomes grain calls through this silo's <see cref="IGrainFactory"/>.
/// </summary>
internal static class KubeApi
{
    public static void AddKubeApi(this WebApplicationBuilder builder, SiloSettings settings, IPAddress address)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, settings.EffectiveApiPort));
    }

    public static void MapKubeApi(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Granary.Silo.Api");
        app.Use((context, next) => ApiErrors.HandleAsync(context, () => next(context), logger));
        VersionEndpoints.Map(app);
        DiscoveryEndpoints.Map(app);
        ResourceEndpoints.Map(app);
        OpenApi.OpenApiEndpoints.Map(app);
        // Everything else (the apps group, /openapi/v2, watch/ paths, …) is not served yet.
        app.MapFallback((HttpContext context) => ApiStatus.WriteAsync(context, ApiStatus.PathNotFound()));
    }
}
