using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;

namespace Granary.Silo.Api;

/// <summary>
/// GET /api/v1/namespaces/{ns}/pods/{name}/exec over WebSocket (the channel protocol, v5 down to v1): kubectl exec.
/// The command goes the way every exec goes, pod grain → node grain → the node agent → the container runtime, and
/// is not interactive: stdin (with <c>stdin=true</c>) is read to its end first, the command then runs, and its
/// output, exit code and status are sent when it has ended. A terminal (<c>tty=true</c>) is refused in-band.
/// Anything that is not a WebSocket upgrade (kubectl's SPDY fallback, a plain GET) is a 400
/// "Upgrade request required", as kube-apiserver answers it.
/// </summary>
internal static partial class PodExec
{
    /// <summary>
    /// The command must end within this: its result travels back as one grain call, and Orleans gives up on a call
    /// after 30 s. The agent stops the command at this deadline and says so.
    /// </summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(25);

    /// <summary>stdin is held in memory and sent to the agent in one message, so it is bounded.</summary>
    private const int MaxStdin = 4 * 1024 * 1024;

    public static async Task HandleAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsPost(method))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.MethodNotAllowed(method));
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
            throw new BadRequestException("Upgrade request required");
        var offered = context.WebSockets.WebSocketRequestedProtocols;
        var protocol = ExecChannelProtocol.Negotiate([.. offered])
            ?? throw new BadRequestException(
                $"none of the offered WebSocket subprotocols ({string.Join(", ", offered)}) is served; use one of: " +
                string.Join(", ", ExecChannelProtocol.Supported.Select(p => p.Name)));
        var options = ExecOptions.From(context.Request.Query);
        var key = path.Resource.Kind.KeyOf(path.Namespace, path.Name!);
        var pod = grains.GetGrain<IPodGrain>(key);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PodExec).FullName!);

        // From here on every answer, failures included, is a status on the socket: the response has begun.
        using var webSocket = await context.WebSockets.AcceptWebSocketAsync(offered.Count == 0 ? null : protocol.Name);
        var socket = new ExecSocket(webSocket, protocol);
        var ct = context.RequestAborted;
        try
        {
            socket.StartReading(options.Stdin && !options.Tty, MaxStdin, ct);
            var status = await RunAsync(socket, pod, key, options, logger, ct);
            await socket.SendStatusAsync(status, ct);
            await socket.CloseAsync(ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away mid-session: nobody is left to tell.
        }
    }

    /// <summary>Runs the command, sends its output, and returns the status that ends the session.</summary>
    private static async Task<JsonObject> RunAsync(ExecSocket socket, IPodGrain pod, string key, ExecOptions options, ILogger logger, CancellationToken ct)
    {
        if (options.Problem() is { } problem)
            return ApiStatus.Failure(400, "BadRequest", problem);
        if (options.Tty)
        {
            return ApiStatus.Failure(400, "BadRequest",
                "exec with a terminal (tty, kubectl exec -t) is not supported yet: run the command without -t; " +
                "-i alone works, with input from a pipe or a file");
        }
        PodExecResult result;
        try
        {
            var stdin = options.Stdin ? await socket.ReadStdinAsync(ct) : [];
            result = await pod.ExecAsync(new PodExecRequest
            {
                Container = options.Container,
                Command = options.Command,
                Stdin = stdin,
                Timeout = CommandTimeout,
            }).WaitAsync(ct);
        }
        catch (GranaryException e)
        {
            return ApiStatus.From(e);
        }
        catch (TimeoutException)
        {
            return ApiStatus.Failure(504, "Timeout", string.Create(CultureInfo.InvariantCulture,
                $"the command did not finish within {CommandTimeout.TotalSeconds:0}s: exec returns a command's output when it has ended, so long-running commands are not supported yet"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The response has begun, so the failure can only be told in-band; the operator finds it in the log.
            LogUnexpected(logger, e, key, string.Join(' ', options.Command));
            return ApiStatus.Internal(e.Message);
        }
        if (options.Stdout)
            await socket.SendAsync(ExecChannelProtocol.Stdout, result.Stdout, ct);
        if (options.Stderr)
            await socket.SendAsync(ExecChannelProtocol.Stderr, result.Stderr, ct);
        return result.ExitCode == 0 ? ExecChannelProtocol.Success() : ExecChannelProtocol.NonZeroExit(result.ExitCode);
    }
}
