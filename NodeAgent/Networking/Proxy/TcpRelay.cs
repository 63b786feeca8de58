using System.Buffers;
using System.Net.Sockets;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// Copies a proxied TCP connection both ways until both sides are done. A side's end of stream is passed on as a
/// half-close (so request/response protocols that shut down their sending side work); a reset or error on either
/// side resets both. Buffers come from the shared pool: nothing is allocated per read.
/// </summary>
internal static class TcpRelay
{
    /// <summary>Large enough for bulk transfers to move in few system calls; the pool keeps them for reuse.</summary>
    private const int BufferSize = 64 * 1024;

    public static async Task RunAsync(Socket client, Socket backend, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            var up = PumpAsync(client, backend, failed);
            var down = PumpAsync(backend, client, failed);
            await Task.WhenAll(up, down);
        }
        finally
        {
            if (failed.IsCancellationRequested)
            {
                Reset(client);
                Reset(backend);
            }
            client.Dispose();
            backend.Dispose();
        }
    }

    /// <summary>Closes a socket with an RST instead of a FIN: the peer learns at once that the connection is gone.</summary>
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer or by the other direction; disposing it is all that is left.
        }
        socket.Dispose();
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationTokenSource failed)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, failed.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, failed.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side broke (or the proxy is stopping): the other direction stops too, and both sides are reset.
            failed.Cancel();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
