using System.Net;
using System.Net.Sockets;

namespace Granary.NodeAgent.Server.PortForward;

/// <summary>
/// One forwarded port of a session: its channels and its TCP connection to the pod. What the client sends before the
/// connection is up waits for it; what it sends to a port that could not be reached is dropped (the error channel
/// has said why).
/// </summary>
internal sealed class PortLink(ushort port, int index) : IDisposable
{
    private readonly TaskCompletionSource<Socket?> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ushort Port => port;

    public byte DataChannel => (byte)(2 * index);

    public byte ErrorChannel => (byte)(2 * index + 1);

    public async Task<Socket> ConnectAsync(string address, TimeSpan timeout, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), deadline.Token);
            _connected.TrySetResult(socket);
            return socket;
        }
        catch
        {
            socket.Dispose();
            _connected.TrySetResult(null);
            throw;
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (await _connected.Task.WaitAsync(ct) is not { } socket)
            return;
        try
        {
            await socket.SendAsync(data, SocketFlags.None, ct);
        }
        catch (SocketException)
        {
            // The pod closed its side; its reader ends the port and the session learns it there.
        }
    }

    /// <summary>The client has nothing more to send: half-close, so the pod sees the end of its input.</summary>
    public void EndInput()
    {
        if (_connected.Task.IsCompletedSuccessfully && _connected.Task.Result is { Connected: true } socket)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // Already gone: nothing left to end.
            }
        }
    }

    public void Dispose()
    {
        _connected.TrySetResult(null);
        if (_connected.Task.Result is { } socket)
            socket.Dispose();
    }
}
