using System.Net;
using System.Net.Sockets;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>One client's UDP exchange with the endpoint chosen for it: a socket connected to that endpoint.</summary>
internal sealed class UdpFlow : IDisposable
{
    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private long _lastActive;

    public UdpFlow(IPEndPoint client, IPEndPoint backend, TimeProvider time)
    {
        Client = client;
        Backend = backend;
        _time = time;
        _lastActive = time.GetTimestamp();
        _socket = new Socket(backend.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Connect(backend);
    }

    public IPEndPoint Client { get; }

    public IPEndPoint Backend { get; }

    /// <summary>When a datagram last went either way (a timestamp of the flow's <see cref="TimeProvider"/>).</summary>
    public long LastActive => Interlocked.Read(ref _lastActive);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken ct)
    {
        Interlocked.Exchange(ref _lastActive, _time.GetTimestamp());
        try
        {
            await _socket.SendAsync(datagram, SocketFlags.None, ct);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The flow closed under us or the endpoint refused an earlier datagram; this one is lost, as UDP allows.
        }
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, ct);
        Interlocked.Exchange(ref _lastActive, _time.GetTimestamp());
        return read;
    }

    public void Dispose() => _socket.Dispose();
}
