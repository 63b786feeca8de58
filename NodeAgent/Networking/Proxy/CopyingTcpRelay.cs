using System.Buffers;
using System.Net.Sockets;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// Copies a proxied TCP connection both ways through userspace buffers until both sides are done: the relay where
/// splice(2) is not available. A side's end of stream is passed on as a half-close (so request/response protocols
/// that shut down their sending side work); a reset or error on either side resets both. Buffers come from the
/// shared pool: nothing is allocated per read.
/// </summary>
internal sealed class CopyingTcpRelay : ITcpRelay
{
    /// <summary>Large enough for bulk transfers to move in few system calls; the pool keeps them for reuse.</summary>
    private const int BufferSize = 64 * 1024;

    private volatile bool _disposed;

    public string Description => $"copying through {BufferSize / 1024} KiB pooled buffers";

    public async Task RunAsync(Socket client, Socket backend, CancellationToken ct)
    {
        if (_disposed)
        {
            TcpRelay.Reset(client);
            TcpRelay.Reset(backend);
            return;
        }
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
                TcpRelay.Reset(client);
                TcpRelay.Reset(backend);
            }
            client.Dispose();
            backend.Dispose();
        }
    }

    /// <summary>Buffers go back to the pool as each connection ends; open connections end with the proxy's token.</summary>
    public void Dispose() => _disposed = true;

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
