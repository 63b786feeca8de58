using System.Net;
using Granary.Silo.Api.Limits;
using Granary.Silo.Security;

namespace Granary.Silo.Api;

/// <summary>
/// The Kubernetes HTTP API edge of the silo (loopback by default): HTTPS with bearer tokens, or plain HTTP without
/// authentication in dev mode (<see cref="ApiSecurity"/>).
/// It holds no state: every request becomes grain calls through this silo's <see cref="IGrainFactory"/>.
/// </summary>
internal static class KubeApi
{
    public static void AddKubeApi(this WebApplicationBuilder builder, SiloSettings settings, IPAddress address, ApiSecurity security)
    {
        builder.Services.AddSingleton(security);
        builder.AddApiLimits();
        // pods/proxy, services/proxy and nodes/proxy forward through the node agents' servers.
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<Proxy.ApiProxy>();
        builder.Services.AddSingleton<Proxy.ServiceProxyResolver>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, settings.EffectiveApiPort, listen =>
        {
            if (security.Tls is { } tls)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = tls.Certificate;
                    https.ServerCertificateChain = tls.Intermediates;
                });
            }
        }));
    }

    public static void MapKubeApi(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Granary.Silo.Api");
        app.Use((context, next) => ApiErrors.HandleAsync(context, () => next(context), logger));
        // pods/exec speaks the channel protocol over WebSocket.
        app.UseWebSockets();
        if (app.Services.GetRequiredService<ApiSecurity>().Tokens is { } tokens)
            app.UseBearerTokens(tokens);
        app.UseApiLimits();
        VersionEndpoints.Map(app);
        DiscoveryEndpoints.Map(app);
        Proxy.ProxyEndpoints.Map(app);
        ResourceEndpoints.Map(app);
        OpenApi.OpenApiEndpoints.Map(app);
        // Everything else (the apps group, /openapi/v2, watch/ paths, …) is not served yet.
        app.MapFallback((HttpContext context) => ApiStatus.WriteAsync(context, ApiStatus.PathNotFound()));
    }
}
