using Yarp.ReverseProxy.Forwarder;

namespace Granary.Silo.Api.Proxy;

/// <summary>
/// What the API's proxy changes on the way, as kube-apiserver does: the request goes to the agent's route for the
/// pod (not the API path), without the caller's Authorization (it was for this API, not for the pod), and with the
/// caller's address in X-Forwarded-For; the response's redirects to the proxied server are rewritten below the
/// proxy's prefix, and its CORS headers are dropped (the proxied server does not speak for the API's origin).
/// Hop-by-hop headers are dropped both ways by YARP's defaults.
/// </summary>
internal sealed class ApiProxyTransformer(Uri agentTarget, string targetHostPort, string prefix) : HttpTransformer
{
    private static readonly string[] CorsHeaders =
        ["Access-Control-Allow-Credentials", "Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin"];

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = agentTarget;
        // The agent's address, not the caller's Host (the API's): the TLS handshake checks the agent's certificate
        // against the host dialed. The agent sets the pod's own Host on the last hop.
        proxyRequest.Headers.Host = null;
        proxyRequest.Headers.Remove("Authorization");
        if (httpContext.Connection.RemoteIpAddress is { } client)
        {
            var forwarded = httpContext.Request.Headers["X-Forwarded-For"].ToString();
            proxyRequest.Headers.Remove("X-Forwarded-For");
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", forwarded.Length == 0 ? client.ToString() : $"{forwarded}, {client}");
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var headers = httpContext.Response.Headers;
        if (headers.Location.ToString() is { Length: > 0 } location)
            headers.Location = ProxyRedirects.Rewrite(location, targetHostPort, prefix);
        foreach (var name in CorsHeaders)
            headers.Remove(name);
        return proceed;
    }
}
