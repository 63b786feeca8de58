using System.Net;
using Granary.Grains.Security;
using Granary.Grains.Security.Rbac;
using Granary.Silo.Api.Limits;
using Granary.Silo.Observability;
using Granary.Silo.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Granary.Silo.Api;

/// <summary>
/// The Kubernetes HTTP API edge of the silo (loopback by default): HTTPS with bearer tokens and client certificates, or
/// plain HTTP without authentication in dev mode (<see cref="ApiSecurity"/>); every request then passes the audit log,
/// impersonation and the authorizer (system:masters, the Node authorizer, then RBAC) before it is served.
/// It holds no state: every request becomes grain calls through this silo's <see cref="IGrainFactory"/>.
/// </summary>
internal static class KubeApi
{
    public static void AddKubeApi(this WebApplicationBuilder builder, SiloSettings settings, IPAddress address, ApiSecurity security)
    {
        builder.Services.AddSingleton(security);
        // kube-apiserver's --authorization-mode=Node,RBAC, with system:masters first (so broken RBAC objects cannot lock
        // admins out). The same chain authorizes grain calls from agents and SDK clients.
        builder.Services.AddSingleton<RbacAuthorizer>();
        builder.Services.TryAddSingleton<Granary.Grains.Security.Nodes.INodeGraph, Granary.Grains.Security.Nodes.WatchCacheNodeGraph>();
        builder.Services.TryAddSingleton<Granary.Grains.Security.Nodes.NodeAuthorizer>();
        builder.Services.AddSingleton<IAuthorizer>(sp => new AuthorizerChain(new SystemMastersAuthorizer(),
            sp.GetRequiredService<Granary.Grains.Security.Nodes.NodeAuthorizer>(), sp.GetRequiredService<RbacAuthorizer>()));
        // Role and binding writes from outside the silos (HTTP and grain calls) are checked for escalation.
        builder.Services.AddSingleton<RbacEscalation>();
        if (security.Tokens is { } tokens)
            builder.Services.AddSingleton<ITokenAuthenticator>(tokens);
        if (!string.IsNullOrWhiteSpace(settings.AuditLogPath))
            builder.Services.AddSingleton(sp => new AuditLogFile(settings.AuditLogPath, settings.AuditLogMaxSize, settings.AuditLogMaxBackup, sp.GetRequiredService<TimeProvider>()));
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
                    if (security.ClientCertificates is not null)
                    {
                        // Asked for, never required; the authentication step verifies it against --client-ca-file, so a
                        // wrong certificate is kube's 401 rather than a failed handshake kubectl cannot explain.
                        https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
                        https.AllowAnyClientCertificate();
                    }
                });
            }
        }));
    }

    public static void MapKubeApi(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Granary.Silo.Api");
        // The dashboard's own port, when it is on, never reaches the API's pipeline.
        DashboardEndpoint.Map(app);
        app.UseApiRequestMetrics();
        app.Use((context, next) => ApiErrors.HandleAsync(context, () => next(context), logger));
        // pods/exec speaks the channel protocol over WebSocket.
        app.UseWebSockets();
        var security = app.Services.GetRequiredService<ApiSecurity>();
        // Before authentication, so that requests with wrong credentials (401) are audited too.
        if (app.Services.GetService<AuditLogFile>() is { } audit)
            app.UseAuditLog(audit, app.Services.GetRequiredService<TimeProvider>());
        if (security.Tls is null)
            app.UseUnsecuredUser();
        else
            app.UseRequestAuthentication(security.ClientCertificates, [.. app.Services.GetServices<ITokenAuthenticator>()]);
        app.UseImpersonation();
        // kube's order: the in-flight limits (its max-in-flight and APF) see the impersonated user, before authorization.
        app.UseApiLimits();
        app.UseRequestAuthorization();
        app.UseLongRunningRequestMetrics();
        Autoscaling.AutoscalingV1Edge.UseAutoscalingV1(app);
        VersionEndpoints.Map(app);
        MetricsEndpoint.Map(app);
        AccessReviews.Map(app);
        SelfSubjectReviews.Map(app);
        DiscoveryEndpoints.Map(app);
        Metrics.MetricsApi.Map(app);
        Proxy.ProxyEndpoints.Map(app);
        ResourceEndpoints.Map(app);
        OpenApi.OpenApiEndpoints.Map(app);
        // Everything else (the apps group, /openapi/v2, watch/ paths, …) is not served yet.
        app.MapFallback((HttpContext context) => ApiStatus.WriteAsync(context, ApiStatus.PathNotFound()));
    }
}
