using System.Globalization;
using System.Net.WebSockets;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Granary.Silo.Streams;
using Granary.Silo.Streams.Spdy;

namespace Granary.Silo.Api;

/// <summary>
/// GET or POST /api/v1/namespaces/{ns}/pods/{name}/portforward: a connection to ports of the pod, through its node's
/// agent. Three ways in, as kube-apiserver serves them:
/// <list type="bullet">
/// <item>a WebSocket with the channel protocol (v4.channel.k8s.io; the KubernetesClient library), ports in the query:
/// relayed message for message to the agent's WebSocket;</item>
/// <item>a WebSocket with subprotocol SPDY/3.1+portforward.k8s.io (kubectl 1.31 and later): SPDY frames inside binary
/// messages;</item>
/// <item>an HTTP/1.1 upgrade to SPDY/3.1 with X-Stream-Protocol-Version: portforward.k8s.io (kubectl 1.30 and earlier,
/// and the fallback of later ones).</item>
/// </list>
/// Both SPDY forms go through <see cref="SpdyPortForward"/>.
/// </summary>
internal static class PodPortForward
{
    private const string TunnelPrefix = "SPDY/3.1+";
    private static readonly string[] ChannelProtocols = ["v4.channel.k8s.io", "portforward.k8s.io"];

    public static async Task HandleAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsPost(method))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.MethodNotAllowed(method));
            return;
        }
        var upgrade = SpdyUpgrade.Requested(context);
        if (!context.WebSockets.IsWebSocketRequest && upgrade is null)
            throw new BadRequestException("Upgrade request required");
        var node = await NodeOfAsync(grains, path);
        var dialer = context.RequestServices.GetRequiredService<AgentDialer>();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PodPortForward).FullName!);
        var ct = context.RequestAborted;

        if (upgrade is not null)
        {
            if (!upgrade.Offers(SpdyPortForward.Protocol))
            {
                throw new BadRequestException(
                    $"unable to negotiate a stream protocol: X-Stream-Protocol-Version offers {upgrade.Describe()}; port-forward speaks {SpdyPortForward.Protocol}");
            }
            await using var transport = await upgrade.AcceptAsync(SpdyPortForward.Protocol);
            await RunSpdyAsync(transport, dialer, node, path, logger, ct);
            return;
        }

        var offered = context.WebSockets.WebSocketRequestedProtocols;
        if (offered.Contains(TunnelPrefix + SpdyPortForward.Protocol, StringComparer.Ordinal))
        {
            // "SPDY/3.1+…" is no token (RFC 6455 4.1 wants one), so ASP.NET refuses it as a subprotocol; kube-apiserver
            // answers it anyway and kubectl expects it back, so the header is set by hand.
            context.Response.Headers.SecWebSocketProtocol = TunnelPrefix + SpdyPortForward.Protocol;
            var tunnel = await context.WebSockets.AcceptWebSocketAsync(subProtocol: null);
            await using var transport = WebSocketStream.Create(tunnel, WebSocketMessageType.Binary, ownsWebSocket: true);
            await RunSpdyAsync(transport, dialer, node, path, logger, ct);
            return;
        }

        var protocol = offered.FirstOrDefault(p => ChannelProtocols.Contains(p, StringComparer.Ordinal));
        if (offered.Count > 0 && protocol is null)
        {
            throw new BadRequestException(
                $"none of the offered WebSocket subprotocols ({string.Join(", ", offered)}) is served; use one of: {string.Join(", ", ChannelProtocols)}, {TunnelPrefix}{SpdyPortForward.Protocol}");
        }
        var ports = PortsOf(context.Request.Query);
        // The agent is dialed before the client's upgrade is answered, so an unreachable node is a 503, not a closed socket.
        using var agent = await dialer.ConnectWebSocketAsync(node, AgentPath(path, ports), [ChannelProtocols[0]], ct);
        using var client = await context.WebSockets.AcceptWebSocketAsync(protocol);
        await WebSocketRelay.RunAsync(client, agent, ct);
    }

    private static async Task RunSpdyAsync(Stream transport, AgentDialer dialer, string node, ResourcePath path, ILogger logger, CancellationToken ct)
    {
        await using var session = new SpdySession(transport, logger);
        try
        {
            await new SpdyPortForward(session, dialer, node, path.Namespace!, path.Name!, logger).RunAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // kubectl went away: its connection is gone with it.
        }

    }

    /// <summary>The node that runs the pod; a pod not (yet) running anywhere cannot be forwarded to.</summary>
    private static async Task<string> NodeOfAsync(IGrainFactory grains, ResourcePath path)
    {
        var pod = (Pod)await ResourceGrains.GetAsync(grains, ResourceKinds.Pod, path.Resource.Kind.KeyOf(path.Namespace, path.Name!));
        var node = pod.Spec.NodeName;
        if (string.IsNullOrEmpty(node))
            throw new BadRequestException($"pod {path.Name} does not have a host assigned: wait until it is scheduled (kubectl get pod {path.Name} -n {path.Namespace} -o wide)");
        if (pod.Status?.Phase is { } phase && phase != "Running")
            throw new BadRequestException($"unable to forward to pod {path.Name}: it is not running (phase {phase}); wait until it runs");
        return node;
    }

    /// <summary>The ports of a channel-protocol request: <c>ports</c> as the API names it (kubelet's <c>port</c> too).</summary>
    internal static IReadOnlyList<ushort> PortsOf(IQueryCollection query)
    {
        var values = query["ports"].Concat(query["port"])
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        if (values.Count == 0)
            throw new BadRequestException("query parameter \"ports\" is required: name each port to forward (ports=8080&ports=9090)");
        var ports = new List<ushort>();
        foreach (var value in values)
        {
            if (!ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
                throw new BadRequestException($"query parameter \"ports\": \"{value}\" is not a port number between 1 and 65535");
            ports.Add(port);
        }
        return ports;
    }

    private static string AgentPath(ResourcePath path, IReadOnlyList<ushort> ports) =>
        $"portForward/{Uri.EscapeDataString(path.Namespace!)}/{Uri.EscapeDataString(path.Name!)}?" +
        string.Join('&', ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"port={p}")));
}
