using System.Net.WebSockets;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Silo.Streams;

/// <summary>
/// How a silo reaches a node agent's server (the kubelet's port, status.daemonEndpoints.kubeletEndpoint on the
/// node's InternalIP) for the streams of the node's pods: plain HTTP requests (<see cref="Http"/>) and WebSocket
/// sessions (<see cref="ConnectWebSocketAsync"/>) share one connection pool. A node without a reachable server is a
/// 503 that names the node and what is missing, never a hang.
/// The channel is mutual TLS: the silo presents its client certificate (<see cref="AgentClientCredentials"/>) and
/// accepts only a serving certificate from the cluster CA for the address it dialed (the node's InternalIP) — where
/// Kubernetes by default does not verify the kubelet's certificate, Granary does. A failed handshake is a 503 that
/// names the node and the TLS problem.
/// </summary>
public sealed class AgentDialer : IDisposable
{
    /// <summary>How long dialing an agent may take before the stream is given up as unreachable.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly IGrainFactory _grains;
    private readonly AgentTlsHandler _handler;

    public AgentDialer(IGrainFactory grains, AgentClientCredentials credentials)
    {
        _grains = grains;
        // AgentTlsHandler, a DelegatingHandler, owns its inner handler and disposes it with itself.
#pragma warning disable CA2000
        _handler = new AgentTlsHandler(credentials, new SocketsHttpHandler
        {
            ConnectTimeout = ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            // The pod proxy forwards responses as they are: a pod's redirect goes back to the user (not followed
            // here, to wherever it points), no cookies are kept between users, bodies stay as encoded.
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            // Streams (logs -f, exec, port-forward) last as long as the user wants.
            ResponseDrainTimeout = TimeSpan.FromSeconds(2),
        });
#pragma warning restore CA2000
        Http = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    /// <summary>Sends requests to agents; build their URIs with <see cref="ResolveAsync"/>.</summary>
    public HttpMessageInvoker Http { get; }

    /// <summary>The base URI of a node's agent server, https://ADDRESS:PORT/.</summary>
    public async Task<Uri> ResolveAsync(string nodeName, CancellationToken ct)
    {
        Node node;
        try
        {
            node = (Node)await ResourceGrains.GetAsync(_grains, ResourceKinds.Node, nodeName).WaitAsync(ct);
        }
        catch (NotFoundException)
        {
            throw new ServiceUnavailableException($"node \"{nodeName}\" is not registered: its agent cannot be reached");
        }
        var port = node.Status?.DaemonEndpoints?.KubeletEndpoint?.Port ?? 0;
        if (port <= 0)
            throw new ServiceUnavailableException(
                $"node \"{nodeName}\" has no agent server (status.daemonEndpoints.kubeletEndpoint.Port is 0): its agent has not registered one; upgrade or restart the agent");
        var address = node.Status?.Addresses?.FirstOrDefault(a => a.Type == "InternalIP")?.Address
            ?? throw new ServiceUnavailableException($"node \"{nodeName}\" has no InternalIP address: its agent cannot be reached");
        var host = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;
        var uri = new Uri($"https://{host}:{port}/");
        _handler.Dialing(uri.Authority, nodeName);
        return uri;
    }

    /// <summary>
    /// Opens a WebSocket to <paramref name="pathAndQuery"/> on the node's agent, offering
    /// <paramref name="subprotocols"/>; the agent's choice is the socket's <see cref="WebSocket.SubProtocol"/>.
    /// </summary>
    public async Task<WebSocket> ConnectWebSocketAsync(string nodeName, string pathAndQuery, IEnumerable<string> subprotocols, CancellationToken ct)
    {
        var baseUri = await ResolveAsync(nodeName, ct);
        var socket = new ClientWebSocket();
        foreach (var protocol in subprotocols)
            socket.Options.AddSubProtocol(protocol);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        var uri = new UriBuilder(new Uri(baseUri, pathAndQuery)) { Scheme = "wss" }.Uri;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(uri, Http, timeout.Token);
            return socket;
        }
        catch (WebSocketException e) when (e.InnerException is ServiceUnavailableException unavailable)
        {
            // The TLS handshake failed: the handler's 503 already names the node and the problem.
            socket.Dispose();
            throw unavailable;
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ServiceUnavailableException($"error dialing the agent of node \"{nodeName}\" at {baseUri.Authority}: {e.Message}");
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }
}
