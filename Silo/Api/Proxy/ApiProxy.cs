using System.Net;
using Granary.NodeAgent.Server.PodProxy;
using Granary.Silo.Streams;
using Yarp.ReverseProxy.Forwarder;

namespace Granary.Silo.Api.Proxy;

/// <summary>
/// Forwards a proxied API request to a node agent's server (YARP's forwarder over the silo's
/// <see cref="AgentDialer"/>): to the agent's pod proxy, which reaches the pod on its node, or to the agent's own
/// routes (nodes/proxy). Every method, the body and query, streamed both ways; WebSocket upgrades are relayed whole.
/// An agent that cannot be dialed is a 503 with Retry-After; what the agent or the pod answers is passed on.
/// </summary>
internal sealed partial class ApiProxy(IHttpForwarder forwarder, AgentDialer dialer, ILogger<ApiProxy> logger)
{
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        // A proxied stream (a WebSocket, a long poll) may stay quiet for long; the user, not the proxy, ends it.
        ActivityTimeout = TimeSpan.FromHours(1),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    /// <param name="prefix">The request's path up to and including "/proxy", for redirects.</param>
    /// <param name="path">The path on the pod (escaped as the client sent it), from its leading "/".</param>
    public async Task ToPodAsync(HttpContext context, ProxyDestination destination, string prefix, string path)
    {
        var baseUri = await dialer.ResolveAsync(destination.Node, context.RequestAborted);
        var pathAndQuery = PodProxyRoute.PathAndQuery(destination.Namespace, destination.Pod, destination.Scheme, destination.Port, path,
            context.Request.QueryString.ToUriComponent());
        await SendAsync(context, destination.Node, baseUri, new Uri(baseUri, pathAndQuery), destination.PodHostPort, prefix);
    }

    /// <summary>nodes/proxy: a path of the node agent's own server (its /healthz).</summary>
    public async Task ToAgentAsync(HttpContext context, string node, Uri baseUri, string prefix, string path)
    {
        var target = new Uri(baseUri, path.TrimStart('/') + context.Request.QueryString.ToUriComponent());
        await SendAsync(context, node, baseUri, target, baseUri.Authority, prefix);
    }

    private async Task SendAsync(HttpContext context, string node, Uri baseUri, Uri target, string targetHostPort, string prefix)
    {
        var transformer = new ApiProxyTransformer(target, targetHostPort, prefix);
        var error = await forwarder.SendAsync(context, baseUri.GetLeftPart(UriPartial.Authority), dialer.Http, RequestConfig, transformer);
        if (error == ForwarderError.None)
            return;
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        LogForwardFailed(logger, context.Request.Path, node, error, exception?.Message);
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
            return;
        context.Response.Clear();
        context.Response.Headers.RetryAfter = "1";
        await ApiStatus.WriteAsync(context, ApiStatus.Failure(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable",
            $"error trying to reach service: error dialing the agent of node \"{node}\" at {baseUri.Authority}: {exception?.Message ?? error.ToString()}"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy request {Path} through the agent of node {Node} failed: {Error} {Detail}")]
    private static partial void LogForwardFailed(ILogger logger, string path, string node, ForwarderError error, string? detail);
}
