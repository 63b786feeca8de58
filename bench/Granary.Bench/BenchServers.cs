using System.Net;
using System.Net.Sockets;

namespace Granary.Bench;

/// <summary>
/// The proxy benchmark's far ends on 127.0.0.1: a bulk server that sends a fixed number of bytes to each connection
/// and closes, and an echo server that returns what it reads.
/// </summary>
internal sealed class BenchServers : IDisposable
{
    private readonly Socket _bulk;
    private readonly Socket _echo;
    private readonly long _bulkBytes;

    public BenchServers(long bulkBytes)
    {
        _bulkBytes = bulkBytes;
        _bulk = Listen();
        _echo = Listen();
        _ = AcceptAsync(_bulk, SendBulkAsync);
        _ = AcceptAsync(_echo, EchoAsync);
    }

    public IPEndPoint Bulk => (IPEndPoint)_bulk.LocalEndPoint!;

    public IPEndPoint Echo => (IPEndPoint)_echo.LocalEndPoint!;

    public void Dispose()
    {
        _bulk.Dispose();
        _echo.Dispose();
    }

    private static Socket Listen()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(128);
        return socket;
    }

    private static async Task AcceptAsync(Socket listener, Func<Socket, Task> serve)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            client.NoDelay = true;
            _ = serve(client);
        }
    }

    private async Task SendBulkAsync(Socket client)
    {
        using var _ = client;
        var chunk = new byte[256 * 1024];
        try
        {
            for (var left = _bulkBytes; left > 0; left -= chunk.Length)
                await client.SendAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The benchmark stopped reading (interrupted).
        }
    }

    private static async Task EchoAsync(Socket client)
    {
        using var _ = client;
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await client.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
        }
        catch (SocketException)
        {
            // The client went away.
        }
    }
}
