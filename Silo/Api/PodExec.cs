using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Granary.NodeAgent.Server.Streams;
using Granary.Silo.Streams;

namespace Granary.Silo.Api;

/// <summary>
/// GET /api/v1/namespaces/{ns}/pods/{name}/exec and …/attach over WebSocket (the channel protocol, v5 down to v1):
/// kubectl exec, cp and attach. As kube-apiserver proxies these to the kubelet, the silo checks the request and the
/// pod, dials the agent of the pod's node (its server, <see cref="AgentDialer"/>) offering the versions the client
/// offered, upgrades the client with the agent's choice, and relays the session frame for frame
/// (<see cref="WebSocketRelay"/>): output arrives as it is produced, stdin and terminal resizes go through, and
/// there is no time limit. Failures before the upgrade are Status answers (404, 400, 503 with Retry-After); after
/// it they are the agent's status on the socket. Anything that is not a WebSocket upgrade (kubectl's SPDY
/// fallback, a plain GET) is a 400 "Upgrade request required".
/// </summary>
internal static partial class PodExec
{
    /// <summary>How soon a client may try again when the node's agent cannot be reached.</summary>
    private const int RetryAfterSeconds = 5;

    public static async Task HandleAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsPost(method))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.MethodNotAllowed(method));
            return;
        }
        var attach = path.Resource.Name == "pods/attach";
        var options = ExecOptions.From(context.Request.Query);
        if (options.Problem(attach) is { } problem)
            throw new BadRequestException(problem);
        var pod = (Pod)await ResourceGrains.GetAsync(grains, path.Resource.Kind, path.Resource.Kind.KeyOf(path.Namespace, path.Name!));
        var target = PodStreamTarget.Resolve(pod, options.Container);
        var dialer = context.RequestServices.GetRequiredService<AgentDialer>();
        var ct = context.RequestAborted;
        // A node without a reachable agent server is told before the upgrade whatever the client speaks, so kubectl's
        // SPDY fallback after a failed WebSocket upgrade shows the same reason.
        try
        {
            await dialer.ResolveAsync(target.Node, ct);
        }
        catch (ServiceUnavailableException e)
        {
            await WriteUnavailableAsync(context, e);
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            // kubectl 1.29 and older speak only SPDY for exec and attach: say which kubectl works instead.
            if (context.Request.Headers.Upgrade.ToString().Contains("SPDY", StringComparison.OrdinalIgnoreCase))
                throw new BadRequestException(
                    "Upgrade request required: exec and attach are served over WebSocket only (kubectl 1.30 or newer, or a client " +
                    "offering v5.channel.k8s.io); kubectl 1.29 and older speak SPDY here, which is not served for exec and attach");
            throw new BadRequestException("Upgrade request required");
        }
        var offered = context.WebSockets.WebSocketRequestedProtocols;
        var served = offered.Where(p => ExecChannelProtocol.Supported.Any(s => s.Name == p.Trim())).Select(p => p.Trim()).ToList();
        if (offered.Count > 0 && served.Count == 0)
        {
            throw new BadRequestException(
                $"none of the offered WebSocket subprotocols ({string.Join(", ", offered)}) is served; use one of: " +
                string.Join(", ", ExecChannelProtocol.Supported.Select(p => p.Name)));
        }

        using var agent = await DialAgentAsync(context, dialer, target, attach, served, ct);
        if (agent is null)
            return;
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PodExec).FullName!);
        LogRelaying(logger, attach ? "attach" : "exec", target.Namespace, target.Pod, target.Container, target.Node, agent.SubProtocol ?? "channel.k8s.io");
        // The client gets the version the agent chose among the ones it offered (none offered: none named, v1).
        using var client = await context.WebSockets.AcceptWebSocketAsync(offered.Count == 0 ? null : agent.SubProtocol);
        await WebSocketRelay.RunAsync(client, agent, ct);
    }

    /// <summary>The agent's socket for the session, or null when the agent cannot be reached (the client has had its 503).</summary>
    private static async Task<WebSocket?> DialAgentAsync(HttpContext context, AgentDialer dialer, PodStreamTarget target, bool attach, IEnumerable<string> served, CancellationToken ct)
    {
        try
        {
            return await dialer.ConnectWebSocketAsync(target.Node, target.AgentPath(attach, context.Request.QueryString), served, ct);
        }
        catch (ServiceUnavailableException e)
        {
            await WriteUnavailableAsync(context, e);
            return null;
        }
    }

    private static Task WriteUnavailableAsync(HttpContext context, ServiceUnavailableException e) =>
        ApiStatus.WriteAsync(context, ApiStatus.Failure(503, e.Reason, $"{e.Message}; try again when the node's agent is back",
            new JsonObject { ["retryAfterSeconds"] = RetryAfterSeconds }));
}
