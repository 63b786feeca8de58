using System.Globalization;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Granary.NodeAgent.Server.PodProxy;
using Granary.Silo.Streams;

namespace Granary.Silo.Api.Proxy;

/// <summary>
/// The proxy subresources: <c>/api/v1/namespaces/{ns}/pods/{[scheme:]name[:port]}/proxy[/{path}]</c>,
/// <c>…/services/{[scheme:]name[:port]}/proxy[/{path}]</c> and <c>/api/v1/nodes/{name}/proxy/{path}</c> (the node
/// agent's own server). Mapped ahead of the resource routes, whose paths stop at the subresource.
/// </summary>
internal static class ProxyEndpoints
{
    // Path segments before the proxied path: /api/v1/namespaces/{ns}/pods/{id}/proxy and /api/v1/nodes/{id}/proxy.
    private const int NamespacedSegments = 7;
    private const int NodeSegments = 5;

    public static void Map(IEndpointRouteBuilder api)
    {
        api.Map("/api/v1/namespaces/{namespace}/pods/{id}/proxy/{**path}",
            (HttpContext context, string @namespace, string id, IGrainFactory grains, ApiProxy proxy) =>
                HandleAsync(context, NamespacedSegments, async (prefix, path) =>
                    await proxy.ToPodAsync(context, await PodProxyResolver.ResolveAsync(grains, @namespace, id), prefix, path)));
        api.Map("/api/v1/namespaces/{namespace}/services/{id}/proxy/{**path}",
            (HttpContext context, string @namespace, string id, ServiceProxyResolver services, ApiProxy proxy) =>
                HandleAsync(context, NamespacedSegments, async (prefix, path) =>
                    await proxy.ToPodAsync(context, await services.ResolveAsync(@namespace, id), prefix, path)));
        api.Map("/api/v1/nodes/{id}/proxy/{**path}",
            (HttpContext context, string id, IGrainFactory grains, AgentDialer dialer, ApiProxy proxy) =>
                HandleAsync(context, NodeSegments, async (prefix, path) =>
                {
                    var (node, baseUri) = await AgentOfAsync(context, grains, dialer, id);
                    await proxy.ToAgentAsync(context, node, baseUri, prefix, path);
                }));
    }

    private static async Task HandleAsync(HttpContext context, int segments, Func<string, string, Task> forward)
    {
        var rawPath = RawPath(context);
        var path = PodProxyRoute.RawPathAfter(rawPath, segments);
        var prefix = rawPath[..(rawPath.Length - path.Length)];
        // As kube-apiserver (issue 4958): ".../proxy" alone is redirected to ".../proxy/", so the proxied page's
        // relative links resolve below the proxy.
        if (path.Length == 0 && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = prefix + "/" + context.Request.QueryString.ToUriComponent();
            return;
        }
        // No Retry-After on the 503s of a Service without endpoints or a pod not running, as kube-apiserver: client-go
        // would retry such a request ten times before showing the user why.
        await forward(prefix, path.Length == 0 ? "/" : path);
    }

    /// <summary>The request path as the client escaped it (the raw target without its query).</summary>
    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || !raw.StartsWith('/'))
            return context.Request.PathBase.ToUriComponent() + context.Request.Path.ToUriComponent();
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    /// <summary>nodes/proxy reaches the node agent's own server only: its port, or none.</summary>
    private static async Task<(string Node, Uri BaseUri)> AgentOfAsync(HttpContext context, IGrainFactory grains, AgentDialer dialer, string id)
    {
        var target = ProxyTargetId.Parse(id)
            ?? throw new BadRequestException($"invalid node request \"{id}\": expected [scheme:]name[:port], the scheme http or https");
        // A node that does not exist is a 404, before the dialer's 503 for one that cannot be reached.
        await ResourceGrains.GetAsync(grains, ResourceKinds.Node, target.Name);
        var baseUri = await dialer.ResolveAsync(target.Name, context.RequestAborted);
        if (target.Port.Length > 0 && target.Port != baseUri.Port.ToString(CultureInfo.InvariantCulture))
            throw new BadRequestException($"invalid port \"{target.Port}\" in node request \"{id}\": only the agent's server port {baseUri.Port} (status.daemonEndpoints.kubeletEndpoint.Port) can be proxied");
        return (target.Name, baseUri);
    }
}
