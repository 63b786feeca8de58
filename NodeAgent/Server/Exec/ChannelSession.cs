using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Server.Streams;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Server.Exec;

/// <summary>
/// One exec or attach on an accepted WebSocket: the client's frames go to the process (stdin, resizes, the v5
/// close of stdin) while the process's output goes to the client as it is produced; when the output has ended the
/// session sends its status (the exit code) and closes normally, which is how client-go knows everything arrived.
/// Only the output side writes to the socket, and the status follows the last output, so writes never overlap.
/// </summary>
internal sealed partial class ChannelSession(WebSocket socket, ExecChannelProtocol protocol, StreamTarget target, ILogger logger) : IDisposable
{
    /// <summary>How long to wait for the client to answer our close before the connection is simply dropped.</summary>
    private static readonly TimeSpan CloseHandshake = TimeSpan.FromSeconds(5);

    /// <summary>Cancelled when the client is gone without a close (the connection broke): nobody reads the output any more.</summary>
    private readonly CancellationTokenSource _clientGone = new();

    /// <summary>Cancelled when the client closes an attach: the main process's output would not end by itself.</summary>
    private readonly CancellationTokenSource _detached = new();

    public void Dispose()
    {
        _clientGone.Dispose();
        _detached.Dispose();
    }

    public async Task RunAsync(Func<CancellationToken, Task<IStreamSession>> open, ExecOptions options, CancellationToken requestAborted)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _clientGone.Token);
        var ct = session.Token;
        try
        {
            IStreamSession process;
            try
            {
                process = await open(ct);
            }
            catch (Exception e) when (e is StreamRefusedException or RuntimeException)
            {
                await EndAsync(StatusOf(e), ct);
                await ReadUntilCloseAsync(ct);
                return;
            }
            await using (process)
            {
                var input = PumpInputAsync(process, options, ct);
                JsonObject status;
                try
                {
                    await PumpOutputAsync(process, ct);
                    var exitCode = await process.WaitForExitAsync(ct);
                    status = exitCode is null or 0 ? ExecChannelProtocol.Success() : ExecChannelProtocol.NonZeroExit(exitCode.Value);
                }
                catch (RuntimeException e)
                {
                    status = StatusOf(e);
                }
                await EndAsync(status, ct);
                await input.WaitAsync(CloseHandshake, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away mid-session: nobody is left to tell.
            LogClientGone(logger, target.ToString());
        }
    }

    /// <summary>Sends the status (nothing for a success before v4) and closes normally.</summary>
    private async Task EndAsync(JsonObject status, CancellationToken ct)
    {
        if (protocol.StatusFrame(status) is { } frame)
            await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, ct);
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }

    /// <summary>After a refusal: waits briefly for the client's close in reply to ours, ignoring what it still sends.</summary>
    private async Task ReadUntilCloseAsync(CancellationToken ct)
    {
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
        handshake.CancelAfter(CloseHandshake);
        var buffer = new byte[1024];
        while (socket.State == WebSocketState.CloseSent)
        {
            var received = await socket.ReceiveAsync(buffer, handshake.Token);
            if (received.MessageType == WebSocketMessageType.Close)
                return;
        }
    }

    private async Task PumpOutputAsync(IStreamSession process, CancellationToken ct)
    {
        var buffer = new byte[ExecChannelProtocol.MaxFramePayload];
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct, _detached.Token);
        while (true)
        {
            OutputRead read;
            try
            {
                read = await process.ReadOutputAsync(buffer, reading.Token);
            }
            catch (OperationCanceledException) when (_detached.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return;
            }
            catch (IOException e)
            {
                // The engine's connection ended without a clean end of output: what came is all there is.
                LogOutputBroken(logger, target.ToString(), e.Message);
                return;
            }
            if (read.IsEnd)
                return;
            var channel = read.Stream == LogStream.Stderr ? ExecChannelProtocol.Stderr : ExecChannelProtocol.Stdout;
            await socket.SendAsync(ExecChannelProtocol.Frame(channel, buffer.AsSpan(0, read.Count)), WebSocketMessageType.Binary, endOfMessage: true, ct);
        }
    }

    /// <summary>
    /// Reads the client's frames for the whole session. v1–v4 have no close signal for stdin: the client's close of
    /// the socket is its end. For an attach the client's close ends the session, since the main process's output
    /// would not end by itself.
    /// </summary>
    private async Task PumpInputAsync(IStreamSession process, ExecOptions options, CancellationToken ct)
    {
        var buffer = new byte[ExecChannelProtocol.MaxFramePayload + 1];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, ct);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await process.CloseStdinAsync(ct);
                    if (target.Attach)
                        await _detached.CancelAsync();
                    return;
                }
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                    continue;
                var frame = message.ToArray();
                message.SetLength(0);
                if (frame.Length > 0)
                    await ReceiveAsync(process, options, frame[0], frame.AsMemory(1), ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The connection broke: stop the session rather than run a command nobody reads.
            await _clientGone.CancelAsync();
        }
    }

    private async Task ReceiveAsync(IStreamSession process, ExecOptions options, byte channel, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        switch (channel)
        {
            case ExecChannelProtocol.Stdin when options.Stdin:
                await process.WriteStdinAsync(data, ct);
                break;
            case ExecChannelProtocol.Resize when options.Tty:
                if (TerminalSize.Parse(data.Span) is { } size)
                {
                    try
                    {
                        await process.ResizeAsync(size.Width, size.Height, ct);
                    }
                    catch (RuntimeException e)
                    {
                        // A resize racing the process's start or end is harmless: the next one sets the size.
                        LogResizeFailed(logger, target.ToString(), e.Message);
                    }
                }
                break;
            case ExecChannelProtocol.Close when data.Length > 0 && data.Span[0] == ExecChannelProtocol.Stdin:
                await process.CloseStdinAsync(ct);
                break;
            default:
                // stdin that was not asked for, or a stream the client cannot write: nothing reads it.
                break;
        }
    }

    /// <summary>A driver's failure as the Status kube would send: what the user must change is a 4xx, a passing fault a 503.</summary>
    private static JsonObject StatusOf(Exception e) => e switch
    {
        StreamRefusedException refused => ExecChannelProtocol.Failure(refused.Code, refused.Reason, refused.Message),
        RuntimeException runtime => StatusOf(runtime),
        _ => ExecChannelProtocol.Failure(500, "InternalError", e.Message),
    };

    private static JsonObject StatusOf(RuntimeException e) => e.Kind switch
    {
        RuntimeErrorKind.Unsupported => ExecChannelProtocol.Failure(400, "BadRequest", e.Message),
        RuntimeErrorKind.NotFound or RuntimeErrorKind.Conflict => ExecChannelProtocol.Failure(404, "NotFound", e.Message),
        RuntimeErrorKind.Unavailable or RuntimeErrorKind.Timeout => ExecChannelProtocol.Failure(503, "ServiceUnavailable", $"{e.Message}; try again"),
        _ => ExecChannelProtocol.Failure(500, "InternalError", $"error executing command in container: {e.Message}"),
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Session}: the client went away before the session ended")]
    private static partial void LogClientGone(ILogger logger, string session);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Session}: the engine's stream broke before the output ended: {Reason}")]
    private static partial void LogOutputBroken(ILogger logger, string session, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Session}: resizing the terminal failed: {Reason}")]
    private static partial void LogResizeFailed(ILogger logger, string session, string reason);
}

/// <summary>A terminal size as client-go sends it on the resize channel: <c>{"Width":80,"Height":24}</c>.</summary>
internal readonly record struct TerminalSize(int Width, int Height)
{
    /// <summary>The size, or null for a message that is not one (ignored, as the kubelet ignores it).</summary>
    public static TerminalSize? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            int? width = null, height = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("Width") || property.Name.Equals("width", StringComparison.OrdinalIgnoreCase))
                    width = property.Value.TryGetInt32(out var w) ? w : null;
                else if (property.Name.Equals("height", StringComparison.OrdinalIgnoreCase))
                    height = property.Value.TryGetInt32(out var h) ? h : null;
            }
            return width is > 0 && height is > 0 ? new TerminalSize(width.Value, height.Value) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
