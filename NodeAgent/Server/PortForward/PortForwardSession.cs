using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Server.PortForward;

/// <summary>
/// One port-forward WebSocket, in Kubernetes' channel protocol: every message starts with its channel byte; port
/// number i has data channel 2i and error channel 2i+1, and the first message on each of them is the port as two
/// bytes little-endian. Each port gets one TCP connection to the pod, relayed both ways with pooled buffers. A port
/// that cannot be reached says why on its error channel and ends alone; the session ends when every port's
/// connection has ended, or when the client goes. A close from the client is taken as the end of its input: the
/// pod's connections are half-closed, and what the pod still sends is relayed before the session closes.
/// </summary>
public sealed partial class PortForwardSession(WebSocket socket, string podAddress, IReadOnlyList<ushort> ports, string pod, ILogger logger) : IDisposable
{
    /// <summary>The subprotocols served, newest first; both mean the same binary channel protocol here.</summary>
    public static readonly string[] Subprotocols = ["v4.channel.k8s.io", "portforward.k8s.io"];

    private const int BufferSize = 32 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly PortLink[] _links = [.. ports.Select((port, index) => new PortLink(port, index))];

    public void Dispose() => _sending.Dispose();

    public async Task RunAsync(CancellationToken ct)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            foreach (var link in _links)
            {
                await SendAsync(link.DataChannel, PortPrefix(link.Port), session.Token);
                await SendAsync(link.ErrorChannel, PortPrefix(link.Port), session.Token);
            }
            var pods = _links.Select(link => ForwardAsync(link, session.Token)).ToArray();
            var client = ReadClientAsync(session.Token);
            var allPodsDone = Task.WhenAll(pods);
            if (await Task.WhenAny(allPodsDone, client) != allPodsDone)
            {
                // The client closed (or went away): what the pods still send is relayed until they end too.
                await (await client ? allPodsDone : Task.CompletedTask);
            }
            await CloseAsync(WebSocketCloseStatus.NormalClosure, session.Token);
            // The close handshake ends the session, not the server: a connection closed while the client's close is
            // still unread is reset, and a reset discards what the client has not read yet (the pod's last bytes).
            await client.WaitAsync(CloseHandshakeTimeout, session.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or TimeoutException)
        {
            LogClientGone(logger, pod, e.Message);
        }
        finally
        {
            await session.CancelAsync();
            foreach (var link in _links)
                link.Dispose();
        }
    }

    /// <summary>Connects one port and copies what the pod sends to the port's data channel until the pod ends.</summary>
    private async Task ForwardAsync(PortLink link, CancellationToken ct)
    {
        Socket connection;
        try
        {
            // The link owns the pod connection and closes it when the session disposes the links.
#pragma warning disable CA2000
            connection = await link.ConnectAsync(podAddress, ConnectTimeout, ct);
#pragma warning restore CA2000
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var reason = e is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "connection refused"
                : e is OperationCanceledException ? $"timed out after {ConnectTimeout.TotalSeconds:0}s" : e.Message;
            var message = $"error forwarding port {link.Port} to pod {pod}: dial tcp {podAddress}:{link.Port}: connect: {reason}";
            LogConnectFailed(logger, pod, link.Port, reason);
            await SendAsync(link.ErrorChannel, Encoding.UTF8.GetBytes(message), ct);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize + 1);
        try
        {
            buffer[0] = link.DataChannel;
            while (true)
            {
                int read;
                try
                {
                    read = await connection.ReceiveAsync(buffer.AsMemory(1, BufferSize), SocketFlags.None, ct);
                }
                catch (SocketException e)
                {
                    LogPodConnectionFailed(logger, pod, link.Port, e.Message);
                    return;
                }
                if (read == 0)
                {
                    LogPodEnded(logger, pod, link.Port);
                    return;
                }
                await SendFramedAsync(buffer.AsMemory(0, read + 1), ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Passes the client's data channels to the pods' connections. True when the client closed (its input ended),
    /// false when the socket failed.
    /// </summary>
    private async Task<bool> ReadClientAsync(CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int? channel = null;
            while (true)
            {
                ValueWebSocketReceiveResult received;
                try
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                }
                catch (WebSocketException)
                {
                    return false;
                }
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    LogClientInputEnded(logger, pod);
                    foreach (var link in _links)
                        link.EndInput();
                    return true;
                }
                var data = buffer.AsMemory(0, received.Count);
                // The channel byte leads a message, not each of its fragments.
                if (channel is null && data.Length > 0)
                {
                    channel = data.Span[0];
                    data = data[1..];
                }
                if (channel is { } c && c % 2 == 0 && c / 2 < _links.Length && data.Length > 0)
                    await _links[c / 2].WriteAsync(data, ct);
                if (received.EndOfMessage)
                    channel = null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task SendAsync(byte channel, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var message = ArrayPool<byte>.Shared.Rent(payload.Length + 1);
        try
        {
            message[0] = channel;
            payload.CopyTo(message.AsMemory(1));
            await SendFramedAsync(message.AsMemory(0, payload.Length + 1), ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    /// <summary>One binary message; ports share the socket, so sends take turns.</summary>
    private async Task SendFramedAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        await _sending.WaitAsync(ct);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, CancellationToken ct)
    {
        await _sending.WaitAsync(ct);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(status, null, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    internal static byte[] PortPrefix(ushort port)
    {
        var prefix = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(prefix, port);
        return prefix;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Port-forward to pod {Pod}: port {Port} cannot be reached: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string pod, int port, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Port-forward to pod {Pod}: the connection to port {Port} failed: {Reason}")]
    private static partial void LogPodConnectionFailed(ILogger logger, string pod, int port, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Port-forward to pod {Pod}: port {Port} closed its connection")]
    private static partial void LogPodEnded(ILogger logger, string pod, int port);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Port-forward to pod {Pod}: the client closed its input")]
    private static partial void LogClientInputEnded(ILogger logger, string pod);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Port-forward to pod {Pod}: the client went away: {Reason}")]
    private static partial void LogClientGone(ILogger logger, string pod, string reason);
}
