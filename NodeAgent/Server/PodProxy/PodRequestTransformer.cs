using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Granary.NodeAgent.Server.PodProxy;

/// <summary>
/// Sends the proxied request to the pod's own path (what followed the port in the agent's route), not the agent's
/// route path, with Host the pod's address as kube-apiserver's proxy sends it; other headers are copied as YARP's
/// default does (hop-by-hop ones dropped).
/// </summary>
internal sealed class PodRequestTransformer(Uri target) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = target;
        proxyRequest.Headers.Host = target.Authority;
    }
}
