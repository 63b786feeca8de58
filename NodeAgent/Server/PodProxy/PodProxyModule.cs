using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Granary.NodeAgent.Server.PodProxy;

/// <summary>
/// The agent's half of pods/proxy and services/proxy: the silo resolves the pod and the port and sends the request
/// here, to the node whose loopback address the pod has, and this forwards it to POD_IP:PORT, every method, the query
/// kept, WebSocket upgrades included (YARP's forwarder). Only pods this agent runs are reachable, so the proxy
/// is not a way into anything else on the node. A pod that does not answer is a 503 worded as kube-apiserver does.
/// </summary>
public sealed partial class PodProxyModule(IHttpForwarder forwarder, LocalPodAddresses pods, ILogger<PodProxyModule> logger)
    : IAgentServerModule, IDisposable
{
    /// <summary>How long a pod may take to accept the connection before the request is a 503.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        // A proxied stream (a WebSocket, a long poll) may stay quiet for long; the user, not the proxy, ends it.
        ActivityTimeout = TimeSpan.FromHours(1),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    private readonly HttpMessageInvoker _pods = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = ConnectTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        // As kube-apiserver's proxy to a pod's https port: the pod's certificate names no address it could be checked
        // against, and the user chose to reach this pod by name, so there is no identity to verify.
#pragma warning disable CA5359
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
#pragma warning restore CA5359
    }, disposeHandler: true);

    public void Map(IEndpointRouteBuilder routes) => routes.Map(PodProxyRoute.Template, ForwardAsync);

    private async Task ForwardAsync(HttpContext context, string @namespace, string pod, string port)
    {
        if (!PodProxyRoute.TryParsePort(port, out var scheme, out var number))
        {
            await AgentStatus.WriteAsync(context, 400, "BadRequest", $"invalid port \"{port}\": the pod proxy takes a port number (1-65535), optionally after \"http:\" or \"https:\"");
            return;
        }
        var lookup = pods.Find(@namespace, pod);
        if (lookup.Address is not { } address)
        {
            await AgentStatus.WriteAsync(context, lookup.Code, lookup.Reason, lookup.Message);
            return;
        }
        var hostPort = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{number}" : $"{address}:{number}";
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToUriComponent();
        var path = PodProxyRoute.RawPathAfter(rawTarget, 4);
        var target = new Uri($"{scheme}://{hostPort}{(path.Length == 0 ? "/" : path)}{context.Request.QueryString.ToUriComponent()}");
        var error = await forwarder.SendAsync(context, $"{scheme}://{hostPort}", _pods, RequestConfig, new PodRequestTransformer(target));
        if (error == ForwarderError.None)
            return;
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        LogForwardFailed(logger, @namespace, pod, hostPort, error, exception?.Message);
        if (!context.Response.HasStarted)
            await AgentStatus.WriteAsync(context, 503, "ServiceUnavailable", $"error trying to reach service: {DialError(hostPort, error, exception)}");
    }

    /// <summary>The cause in Go's words, as kube-apiserver's message has it ("dial tcp IP:PORT: connect: connection refused").</summary>
    internal static string DialError(string hostPort, ForwarderError error, Exception? exception)
    {
        var socket = exception as SocketException ?? exception?.InnerException as SocketException;
        return socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => $"dial tcp {hostPort}: connect: connection refused",
            SocketError.TimedOut => $"dial tcp {hostPort}: i/o timeout",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable => $"dial tcp {hostPort}: connect: no route to host",
            not null => $"dial tcp {hostPort}: {socket.Message}",
            null when error == ForwarderError.RequestTimedOut => $"dial tcp {hostPort}: i/o timeout",
            null => $"{error} to {hostPort}: {exception?.Message ?? "the pod closed the connection"}",
        };
    }

    public void Dispose() => _pods.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pod proxy to {Namespace}/{Pod} at {Target} failed: {Error} {Detail}")]
    private static partial void LogForwardFailed(ILogger logger, string @namespace, string pod, string target, ForwarderError error, string? detail);
}
