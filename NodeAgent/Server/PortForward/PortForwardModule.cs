using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Server.PortForward;

/// <summary>
/// GET /portForward/{namespace}/{pod}?port=P&amp;port=Q as a WebSocket (the kubelet's port-forward endpoint): for each
/// port one TCP connection to the pod's address, relayed over the channel protocol (see <see cref="PortForwardSession"/>).
/// What is wrong before the upgrade (no port, a pod this node does not run) is a plain HTTP error naming it.
/// </summary>
public sealed partial class PortForwardModule(PodAddresses pods, ILogger<PortForwardModule> logger) : IAgentServerModule
{
    public void Map(IEndpointRouteBuilder routes) =>
        routes.MapGet("/portForward/{namespace}/{pod}", (HttpContext context, string @namespace, string pod) => HandleAsync(context, @namespace, pod));

    private async Task HandleAsync(HttpContext context, string @namespace, string pod)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, "port-forward is a WebSocket upgrade (subprotocol v4.channel.k8s.io): send Connection: Upgrade, Upgrade: websocket");
            return;
        }
        if (ParsePorts(context.Request.Query["port"]) is not { } ports)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, "query parameter \"port\" must name one or more ports between 1 and 65535 (port=8080&port=9090)");
            return;
        }
        string? address;
        try
        {
            address = await pods.FindAsync(@namespace, pod, context.RequestAborted);
        }
        catch (PodNotRunningException e)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest, e.Message);
            return;
        }
        if (address is null)
        {
            await FailAsync(context, StatusCodes.Status404NotFound, $"pod {@namespace}/{pod} does not run on this node: ask the API server, which dials the pod's node");
            return;
        }

        var offered = context.WebSockets.WebSocketRequestedProtocols;
        var protocol = offered.FirstOrDefault(p => PortForwardSession.Subprotocols.Contains(p, StringComparer.Ordinal));
        if (offered.Count > 0 && protocol is null)
        {
            await FailAsync(context, StatusCodes.Status400BadRequest,
                $"none of the offered subprotocols ({string.Join(", ", offered)}) is served; use {string.Join(" or ", PortForwardSession.Subprotocols)}");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
        LogSessionStarted(logger, @namespace, pod, string.Join(",", ports));
        using var session = new PortForwardSession(socket, address, ports, $"{@namespace}/{pod}", logger);
        await session.RunAsync(context.RequestAborted);
        LogSessionEnded(logger, @namespace, pod);
    }

    internal static ushort[]? ParsePorts(IEnumerable<string?> values)
    {
        var ports = new List<ushort>();
        foreach (var value in values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
                return null;
            ports.Add(port);
        }
        return ports.Count == 0 ? null : [.. ports];
    }

    private static async Task FailAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(message);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Port-forward to pod {Namespace}/{Pod} on ports {Ports} started")]
    private static partial void LogSessionStarted(ILogger logger, string @namespace, string pod, string ports);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Port-forward to pod {Namespace}/{Pod} ended")]
    private static partial void LogSessionEnded(ILogger logger, string @namespace, string pod);
}
