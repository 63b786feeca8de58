using System.Collections.Immutable;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Errors;

namespace Granary.Silo.Api;

/// <summary>
/// One exec's WebSocket after the upgrade. A single reader runs for the whole session: it collects stdin when asked
/// (until the client closes it: a v5 close signal for stream 0, or the end of the socket), ignores resizes, and
/// keeps the socket answering the client's pings while the command runs. Writes come only from the session, one
/// at a time, so reads and writes never overlap with themselves.
/// </summary>
internal sealed class ExecSocket(WebSocket socket, ExecChannelProtocol protocol)
{
    /// <summary>How long to wait for the client to answer our close before the connection is simply dropped.</summary>
    private static readonly TimeSpan CloseHandshake = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _stdinEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MemoryStream _stdin = new();
    private Task _reader = Task.CompletedTask;
    private bool _collectStdin;
    private int _maxStdin;

    /// <summary>Starts the reader. With <paramref name="collectStdin"/>, stdin is kept (up to <paramref name="maxStdin"/> bytes) for <see cref="ReadStdinAsync"/>.</summary>
    public void StartReading(bool collectStdin, int maxStdin, CancellationToken ct)
    {
        _collectStdin = collectStdin;
        _maxStdin = maxStdin;
        _reader = ReadLoopAsync(ct);
    }

    /// <summary>All of stdin, once the client has closed it. BadRequest when it is larger than allowed.</summary>
    public async Task<ImmutableArray<byte>> ReadStdinAsync(CancellationToken ct)
    {
        await _stdinEnded.Task.WaitAsync(ct);
        return [.. _stdin.ToArray()];
    }

    /// <summary>A stream's output (UTF-8), in frames of the protocol's size.</summary>
    public async Task SendAsync(byte channel, string output, CancellationToken ct)
    {
        foreach (var frame in ExecChannelProtocol.Frames(channel, Encoding.UTF8.GetBytes(output)))
            await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, ct);
    }

    /// <summary>The final status on the status channel (nothing for a success before v4).</summary>
    public async Task SendStatusAsync(JsonObject status, CancellationToken ct)
    {
        if (protocol.StatusFrame(status) is { } frame)
            await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, ct);
    }

    /// <summary>
    /// Closes normally: client-go ends every stream at a normal closure, which is how kubectl learns that all
    /// output and the status have arrived. Then waits briefly for the client's close in reply.
    /// </summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        await _reader.WaitAsync(CloseHandshake, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var atMessageStart = true;
        byte channel = 0;
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, ct);
                if (received.MessageType == WebSocketMessageType.Close)
                    break;
                var data = buffer.AsSpan(0, received.Count);
                if (atMessageStart && data.Length > 0)
                {
                    channel = data[0];
                    data = data[1..];
                    atMessageStart = false;
                }
                Receive(channel, data);
                if (received.EndOfMessage)
                    atMessageStart = true;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The connection broke (no close handshake): the input may be cut short, so nothing is run with it.
            _stdinEnded.TrySetCanceled(CancellationToken.None);
            return;
        }
        // v1–v4 have no close signal: the client's close of the socket is the end of stdin.
        _stdinEnded.TrySetResult();
    }

    private void Receive(byte channel, ReadOnlySpan<byte> data)
    {
        switch (channel)
        {
            case ExecChannelProtocol.Stdin when _collectStdin && !_stdinEnded.Task.IsCompleted:
                if (_stdin.Length + data.Length > _maxStdin)
                {
                    _stdinEnded.TrySetException(new BadRequestException(
                        $"stdin is larger than {_maxStdin / (1024 * 1024)} MiB: exec collects the input before the command starts, so give large input another way (a volume, or a file copied in pieces)"));
                    return;
                }
                _stdin.Write(data);
                break;
            case ExecChannelProtocol.Close when data.Length > 0 && data[0] == ExecChannelProtocol.Stdin:
                _stdinEnded.TrySetResult();
                break;
            default:
                // Resizes (channel 4) only matter to a terminal, which exec does not give; anything else has no reader.
                break;
        }
    }
}
