using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Server.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Server.Exec;

/// <summary>
/// The kubelet's exec and attach on the agent's server, over WebSocket in the channel protocol (v1–v5, the
/// version the caller offers best):
/// <c>GET /exec/{namespace}/{pod}/{container}?command=…&amp;stdin=&amp;stdout=&amp;stderr=&amp;tty=</c> and
/// <c>GET /attach/{namespace}/{pod}/{container}?stdin=&amp;stdout=&amp;stderr=&amp;tty=</c>.
/// A silo relays a client's session here (or bridges SPDY to it), so this contract is the one both keep to.
/// Only this node's pods are served: a pod or container it does not run ends the session with a NotFound status.
/// </summary>
public sealed partial class ContainerStreamsModule(IContainerRuntime runtime, DesiredPods pods, ContainerAccess containers, ILoggerFactory loggers)
    : IAgentServerModule
{
    private readonly ILogger _logger = loggers.CreateLogger<ContainerStreamsModule>();

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/exec/{namespace}/{pod}/{container}", (HttpContext context, string @namespace, string pod, string container) =>
            HandleAsync(context, new StreamTarget(@namespace, pod, container, Attach: false)));
        routes.MapGet("/attach/{namespace}/{pod}/{container}", (HttpContext context, string @namespace, string pod, string container) =>
            HandleAsync(context, new StreamTarget(@namespace, pod, container, Attach: true)));
    }

    private async Task HandleAsync(HttpContext context, StreamTarget target)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await WriteStatusAsync(context, 400, "BadRequest", "Upgrade request required: exec and attach speak the channel protocol over WebSocket");
            return;
        }
        var offered = context.WebSockets.WebSocketRequestedProtocols;
        if (ExecChannelProtocol.Negotiate([.. offered]) is not { } protocol)
        {
            await WriteStatusAsync(context, 400, "BadRequest",
                $"none of the offered WebSocket subprotocols ({string.Join(", ", offered)}) is served; use one of: " +
                string.Join(", ", ExecChannelProtocol.Supported.Select(p => p.Name)));
            return;
        }
        var options = ExecOptions.From(context.Request.Query);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(offered.Count == 0 ? null : protocol.Name);
        using var session = new ChannelSession(socket, protocol, target, _logger);
        await session.RunAsync(ct => OpenAsync(target, options, ct), options, context.RequestAborted);
    }

    /// <summary>Checks the request and the pod, then starts the command or attaches; a refusal is the session's status.</summary>
    private async Task<IStreamSession> OpenAsync(StreamTarget target, ExecOptions options, CancellationToken ct)
    {
        if (options.Problem(target.Attach) is { } problem)
            throw new StreamRefusedException(400, "BadRequest", problem);
        // The kubelet's words for a pod it does not run and a container that is not running.
        if (pods.Find(target.Namespace, target.Pod) is null)
            throw new StreamRefusedException(404, "NotFound", "pod does not exist");
        var container = await containers.FindRunningAsync(target.Namespace, target.Pod, target.Container, ct)
            ?? throw new StreamRefusedException(404, "NotFound", $"container not found (\"{target.Container}\")");
        LogOpening(_logger, target.Attach ? "attach" : "exec", target.Namespace, target.Pod, target.Container, options.Tty);
        return target.Attach
            ? await runtime.AttachAsync(container.Id, options.ToStreamRequest(), ct)
            : await runtime.ExecStreamAsync(container.Id, options.Command, options.ToStreamRequest(), ct);
    }

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(ExecChannelProtocol.Failure(code, reason, message).ToJsonString());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} in {Namespace}/{Pod} container {Container} (tty {Tty})")]
    private static partial void LogOpening(ILogger logger, string kind, string @namespace, string pod, string container, bool tty);
}

/// <summary>Which container a session is for, and whether it attaches to the main process or runs a command.</summary>
internal sealed record StreamTarget(string Namespace, string Pod, string Container, bool Attach)
{
    public override string ToString() => $"{(Attach ? "attach" : "exec")} {Namespace}/{Pod}/{Container}";
}

/// <summary>A session refused before it started, with the Status it ends with.</summary>
internal sealed class StreamRefusedException(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
}
