using System.Buffers;
using System.Net.WebSockets;

namespace Granary.Silo.Streams;

/// <summary>
/// Kubernetes' channel protocol over a WebSocket to an agent (exec, attach, port-forward): each binary message is a
/// channel byte and its data. Reading hands each message's data to a callback by channel, fragments included;
/// sending prefixes the channel byte. One reader and one sender at a time, as a WebSocket allows.
/// </summary>
internal static class ChannelSocket
{
    private const int BufferSize = 32 * 1024;

    /// <summary>
    /// Reads until the agent closes (true) or the socket fails (false), passing each piece of data with its channel.
    /// A message split into fragments arrives as several pieces of the same channel.
    /// </summary>
    public static async Task<bool> ReadAsync(WebSocket socket, Func<byte, ReadOnlyMemory<byte>, Task> received, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            byte? channel = null;
            while (true)
            {
                ValueWebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                }
                catch (WebSocketException)
                {
                    return false;
                }
                if (result.MessageType == WebSocketMessageType.Close)
                    return true;
                var data = buffer.AsMemory(0, result.Count);
                if (channel is null && data.Length > 0)
                {
                    channel = data.Span[0];
                    data = data[1..];
                }
                if (channel is { } c && data.Length > 0)
                    await received(c, data);
                if (result.EndOfMessage)
                    channel = null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One message: the channel byte, then <paramref name="data"/>.</summary>
    public static async Task SendAsync(WebSocket socket, byte channel, ReadOnlySequence<byte> data, CancellationToken ct)
    {
        var length = (int)data.Length;
        var message = ArrayPool<byte>.Shared.Rent(length + 1);
        try
        {
            message[0] = channel;
            data.CopyTo(message.AsSpan(1));
            await socket.SendAsync(message.AsMemory(0, length + 1), WebSocketMessageType.Binary, endOfMessage: true, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    /// <summary>Ends this side of the session; a socket already gone is left as it is.</summary>
    public static async Task CloseOutputAsync(WebSocket socket, CancellationToken ct)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            socket.Abort();
        }
    }
}
