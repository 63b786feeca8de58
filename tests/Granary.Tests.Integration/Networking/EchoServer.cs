using System.Net;
using System.Net.Sockets;
using System.Text;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Networking;

/// <summary>
/// A Service endpoint for the proxy tests: answers each TCP line and each UDP datagram with its name and what it got
/// ("NAME:LINE"), on one free loopback port for both protocols, so a test can tell which endpoint a connection reached.
/// </summary>
internal sealed class EchoServer : IDisposable
{
    private readonly TcpListener _tcp;
    private readonly UdpClient _udp;
    private readonly string _name;

    public EchoServer(string name)
    {
        _name = name;
        Port = FreePort.Next();
        _tcp = new TcpListener(IPAddress.Loopback, Port);
        _tcp.Start();
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, Port));
        _ = Task.Run(AcceptAsync);
        _ = Task.Run(EchoDatagramsAsync);
    }

    public int Port { get; }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _tcp.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using var _ = client;
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII, false, 1, leaveOpen: true);
                try
                {
                    while (await reader.ReadLineAsync() is { } line)
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{_name}:{line}\n"));
                }
                catch (IOException)
                {
                    // The test closed the connection.
                }
            });
        }
    }

    private async Task EchoDatagramsAsync()
    {
        while (true)
        {
            UdpReceiveResult got;
            try
            {
                got = await _udp.ReceiveAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            await _udp.SendAsync(Encoding.ASCII.GetBytes($"{_name}:{Encoding.ASCII.GetString(got.Buffer)}"), got.RemoteEndPoint);
        }
    }

    public void Dispose()
    {
        _tcp.Stop();
        _udp.Dispose();
    }
}
