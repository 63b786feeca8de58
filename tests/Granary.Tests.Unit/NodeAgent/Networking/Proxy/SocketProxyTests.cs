using System.Net;
using System.Net.Sockets;
using System.Text;
using Granary.Model;
using Granary.NodeAgent.Networking.Proxy;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.NodeAgent.Networking.Proxy;

/// <summary>The userspace proxy on loopback: a service address in 127.140.200.0/24 and endpoints on 127.0.0.1.</summary>
public sealed class SocketProxyTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static int s_nextAddress;
    private readonly StaticServiceCatalog _catalog = new();
    private readonly SocketProxy _proxy;
    private readonly List<IDisposable> _servers = [];
    private readonly IPEndPoint _service;
    private static readonly ServiceKey Key = new("default", "web");

    public SocketProxyTests()
    {
        _proxy = new SocketProxy(_catalog, "n1", new ServiceProxyOptions { UdpIdleTimeout = TimeSpan.FromSeconds(30) }, TimeProvider.System, NullLogger<SocketProxy>.Instance);
        _service = new IPEndPoint(IPAddress.Parse($"127.140.200.{Interlocked.Increment(ref s_nextAddress)}"), 8000);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        foreach (var server in _servers)
            server.Dispose();
    }

    private void Plan(ProxyProtocol protocol = ProxyProtocol.Tcp, TimeSpan? affinity = null)
    {
        var listener = new ProxyListener(new ListenerAddress(_service, protocol), ListenerRole.ClusterIP, Key, "", 0, false, affinity);
        Assert.Empty(_proxy.Apply(new ProxyPlan([listener], [], [])));
    }

    private void Endpoints(params IPEndPoint[] endpoints) =>
        _catalog.SetEndpoints(new ServiceEndpoints(Key, [.. endpoints.Select(e => new EndpointSlice
        {
            Ports = [new SlicePort { Name = "", Port = e.Port, Protocol = "TCP" }, new SlicePort { Name = "", Port = e.Port, Protocol = "UDP" }],
            Endpoints = [new SliceEndpoint { Addresses = [e.Address.ToString()], NodeName = "n1", Conditions = new EndpointConditions { Ready = true } }],
        })]));

    /// <summary>A TCP server that greets with its name and a newline, then echoes.</summary>
    private IPEndPoint NamedServer(string name)
    {
        // Stopped (and so closed) with the test's other servers when the test is disposed.
#pragma warning disable CA2000
        var listener = new TcpListener(IPAddress.Loopback, 0);
#pragma warning restore CA2000
        listener.Start();
        _servers.Add(new Disposer(listener.Stop));
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using var _ = client;
                    var stream = client.GetStream();
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(name + "\n"));
                    var buffer = new byte[1024];
                    int read;
                    while ((read = await stream.ReadAsync(buffer)) > 0)
                        await stream.WriteAsync(buffer.AsMemory(0, read));
                });
            }
        });
        return (IPEndPoint)listener.LocalEndpoint;
    }

    private async Task<(TcpClient Client, string Greeting)> ConnectAsync()
    {
        var client = new TcpClient();
        using var deadline = new CancellationTokenSource(Deadline);
        await client.ConnectAsync(_service, deadline.Token);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII, false, 1, leaveOpen: true);
        var greeting = await reader.ReadLineAsync(deadline.Token);
        return (client, greeting ?? "");
    }

    private async Task<string> GreetingAsync()
    {
        var (client, greeting) = await ConnectAsync();
        client.Dispose();
        return greeting;
    }

    [Fact]
    public async Task Tcp_TwoEndpoints_RoundRobin()
    {
        Plan();
        Endpoints(NamedServer("a"), NamedServer("b"));

        var seen = new List<string>();
        for (var i = 0; i < 4; i++)
            seen.Add(await GreetingAsync());

        Assert.Equal(2, seen.Count(s => s == "a"));
        Assert.Equal(2, seen.Count(s => s == "b"));
    }

    [Fact]
    public async Task Tcp_RefusingEndpoint_IsSkipped()
    {
        Plan();
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var refusing = (IPEndPoint)closed.LocalEndpoint;
        closed.Stop();
        Endpoints(refusing, NamedServer("a"));

        for (var i = 0; i < 3; i++)
            Assert.Equal("a", await GreetingAsync());
    }

    [Fact]
    public async Task Tcp_NoEndpoints_ClientIsResetAtOnce()
    {
        Plan();
        Endpoints();

        // The reset may come before the client's connect completes, or on its first read; never a hang.
        using var client = new TcpClient();
        using var deadline = new CancellationTokenSource(Deadline);
        var error = await Record.ExceptionAsync(async () =>
        {
            await client.ConnectAsync(_service, deadline.Token);
            await client.GetStream().ReadExactlyAsync(new byte[16], deadline.Token);
        });
        Assert.True(error is SocketException { SocketErrorCode: SocketError.ConnectionReset } or IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } },
            $"expected a reset, got {error?.ToString() ?? "end of stream"}");
    }

    [Fact]
    public async Task Tcp_EndpointChange_KeepsOpenConnectionsAndSendsNewOnesToTheNewSet()
    {
        Plan();
        Endpoints(NamedServer("a"));
        var (open, greeting) = await ConnectAsync();
        Assert.Equal("a", greeting);

        Endpoints(NamedServer("b"));

        Assert.Equal("b", await GreetingAsync());
        var stream = open.GetStream();
        await stream.WriteAsync("ping\n"u8.ToArray());
        using var reader = new StreamReader(stream, Encoding.ASCII, false, 1, leaveOpen: true);
        using var deadline = new CancellationTokenSource(Deadline);
        Assert.Equal("ping", await reader.ReadLineAsync(deadline.Token));
        open.Dispose();
    }

    [Fact]
    public async Task Tcp_ClientIPAffinity_SticksToOneEndpoint()
    {
        Plan(affinity: TimeSpan.FromMinutes(5));
        Endpoints(NamedServer("a"), NamedServer("b"));

        var first = await GreetingAsync();
        for (var i = 0; i < 4; i++)
            Assert.Equal(first, await GreetingAsync());
    }

    [Fact]
    public async Task Tcp_HalfClose_IsPassedOn()
    {
        Plan();
        Endpoints(NamedServer("a"));
        var (client, _) = await ConnectAsync();
        using var _ = client;

        var stream = client.GetStream();
        await stream.WriteAsync("bye\n"u8.ToArray());
        client.Client.Shutdown(SocketShutdown.Send);

        using var deadline = new CancellationTokenSource(Deadline);
        var rest = await new StreamReader(stream).ReadToEndAsync(deadline.Token);
        Assert.Equal("bye\n", rest);
    }

    [Fact]
    public async Task Udp_Datagrams_ReachTheEndpointAndRepliesComeFromTheServiceAddress()
    {
        Plan(ProxyProtocol.Udp);
        using var echo = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        _ = Task.Run(async () =>
        {
            while (true)
            {
                UdpReceiveResult got;
                try
                {
                    got = await echo.ReceiveAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                await echo.SendAsync(got.Buffer, got.RemoteEndPoint);
            }
        });
        Endpoints((IPEndPoint)echo.Client.LocalEndPoint!);

        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var deadline = new CancellationTokenSource(Deadline);
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(Encoding.ASCII.GetBytes($"hello {i}"), _service, deadline.Token);
            var reply = await client.ReceiveAsync(deadline.Token);
            Assert.Equal($"hello {i}", Encoding.ASCII.GetString(reply.Buffer));
            Assert.Equal(_service, reply.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task Apply_RemovedListener_StopsAcceptingButKeepsOpenConnections()
    {
        Plan();
        Endpoints(NamedServer("a"));
        var (open, _) = await ConnectAsync();

        Assert.Empty(_proxy.Apply(ProxyPlan.Empty));

        await Assert.ThrowsAsync<SocketException>(async () => await new TcpClient().ConnectAsync(_service));
        var stream = open.GetStream();
        await stream.WriteAsync("still\n"u8.ToArray());
        using var deadline = new CancellationTokenSource(Deadline);
        Assert.Equal("still", await new StreamReader(stream, Encoding.ASCII, false, 1, leaveOpen: true).ReadLineAsync(deadline.Token));
        open.Dispose();
    }

    [Fact]
    public void Apply_AddressTakenByAnotherProgram_IsReportedAsAFailure()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = (IPEndPoint)taken.LocalEndpoint;
        var listener = new ProxyListener(new ListenerAddress(address, ProxyProtocol.Tcp), ListenerRole.NodePort, Key, "", 0, false, null);

        var failure = Assert.Single(_proxy.Apply(new ProxyPlan([listener], [], [])));
        Assert.Contains("AddressAlreadyInUse", failure.Reason, StringComparison.Ordinal);
        taken.Stop();
    }

    private sealed class Disposer(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
