using System.Buffers;
using System.Net.WebSockets;

namespace Granary.Silo.Streams;

/// <summary>
/// Relays a WebSocket session between a client (kubectl, upgraded at the API) and a node agent, message for
/// message in both directions, as kube-apiserver relays an upgraded connection to the kubelet. The protocol
/// inside (exec channels, port-forward streams) is the agent's to speak; the relay only keeps frames whole and
/// passes each side's close to the other.
/// </summary>
public static class WebSocketRelay
{
    private const int BufferSize = 32 * 1024;

    /// <summary>Runs until both directions have ended (a close from either side ends the session).</summary>
    public static async Task RunAsync(WebSocket client, WebSocket agent, CancellationToken ct)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = PumpAsync(client, agent, session.Token);
        var down = PumpAsync(agent, client, session.Token);
        var first = await Task.WhenAny(up, down);
        // One side is gone: give the other a moment to pass on its last frames and close, then cut it.
        session.CancelAfter(TimeSpan.FromSeconds(5));
        await Task.WhenAll(up, down).ContinueWith(_ => { }, TaskScheduler.Default);
        await first;
    }

    private static async Task PumpAsync(WebSocket from, WebSocket to, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult received;
                try
                {
                    received = await from.ReceiveAsync(buffer.AsMemory(), ct);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                    to.Abort();
                    return;
                }
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await CloseAsync(to, from.CloseStatus ?? WebSocketCloseStatus.NormalClosure, from.CloseStatusDescription, ct);
                    return;
                }
                try
                {
                    await to.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, ct);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                    from.Abort();
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string? description, CancellationToken ct)
    {
        try
        {
            if (socket.State is WebSocketState.Open)
                await socket.CloseOutputAsync(status, description, ct);
            else if (socket.State is WebSocketState.CloseReceived)
                await socket.CloseAsync(status, description, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            socket.Abort();
        }
    }
}
