using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Granary.NodeAgent.Networking.Proxy;
using Granary.NodeAgent.Networking.Proxy.Splice;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.NodeAgent.Networking.Proxy;

/// <summary>
/// What every <see cref="ITcpRelay"/> promises, on real loopback sockets: the test holds the client's and the
/// backend's outer ends, the relay the two inner ends.
/// </summary>
public abstract class TcpRelayContractTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly ITcpRelay _relay;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private protected TcpRelayContractTests(ITcpRelay relay) => _relay = relay;

    public void Dispose()
    {
        _relay.Dispose();
        _timeout.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task RunAsync_LargeTransferBothWays_ArrivesIntact()
    {
        using var relayed = await RelayedAsync();
        const int Size = 48 * 1024 * 1024;
        var upload = SendRandomAsync(relayed.Client, Size, shutdown: true);
        var download = SendRandomAsync(relayed.Backend, Size, shutdown: true);
        var receivedByBackend = ReadToEndHashAsync(relayed.Backend);
        var receivedByClient = ReadToEndHashAsync(relayed.Client);

        Assert.Equal(await upload, await receivedByBackend.WaitAsync(Deadline));
        Assert.Equal(await download, await receivedByClient.WaitAsync(Deadline));
        await relayed.Relay.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RunAsync_ClientHalfCloses_BackendSeesEndAndCanStillAnswer()
    {
        using var relayed = await RelayedAsync();
        await relayed.Client.SendAsync("request"u8.ToArray());
        relayed.Client.Shutdown(SocketShutdown.Send);

        Assert.Equal("request", await ReadToEndTextAsync(relayed.Backend).WaitAsync(Deadline));
        await relayed.Backend.SendAsync("response"u8.ToArray());
        relayed.Backend.Shutdown(SocketShutdown.Send);
        Assert.Equal("response", await ReadToEndTextAsync(relayed.Client).WaitAsync(Deadline));
        await relayed.Relay.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RunAsync_BackendHalfCloses_ClientSeesEndAndCanStillSend()
    {
        using var relayed = await RelayedAsync();
        await relayed.Backend.SendAsync("greeting"u8.ToArray());
        relayed.Backend.Shutdown(SocketShutdown.Send);

        Assert.Equal("greeting", await ReadToEndTextAsync(relayed.Client).WaitAsync(Deadline));
        await relayed.Client.SendAsync("late words"u8.ToArray());
        relayed.Client.Shutdown(SocketShutdown.Send);
        Assert.Equal("late words", await ReadToEndTextAsync(relayed.Backend).WaitAsync(Deadline));
        await relayed.Relay.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RunAsync_BackendResets_ClientIsReset()
    {
        using var relayed = await RelayedAsync();
        await EchoOnceAsync(relayed);
        TcpRelay.Reset(relayed.Backend);

        var error = await Assert.ThrowsAsync<SocketException>(() => ReadToEndTextAsync(relayed.Client).WaitAsync(Deadline));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        await relayed.Relay.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RunAsync_ClientResets_BackendIsReset()
    {
        using var relayed = await RelayedAsync();
        await EchoOnceAsync(relayed);
        TcpRelay.Reset(relayed.Client);

        var error = await Assert.ThrowsAsync<SocketException>(() => ReadToEndTextAsync(relayed.Backend).WaitAsync(Deadline));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        await relayed.Relay.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RunAsync_CancelledMidTransfer_ResetsBothSides()
    {
        using var cancel = new CancellationTokenSource();
        using var relayed = await RelayedAsync(cancel.Token);
        // The backend streams without end; the client reads a few megabytes, then the proxy stops.
        var streaming = SendRandomAsync(relayed.Backend, int.MaxValue, shutdown: false);
        var buffer = new byte[64 * 1024];
        for (long read = 0; read < 4 * 1024 * 1024;)
            read += await relayed.Client.ReceiveAsync(buffer, _timeout.Token);
        cancel.Cancel();

        await relayed.Relay.WaitAsync(Deadline);
        var clientError = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            while (await relayed.Client.ReceiveAsync(buffer, _timeout.Token) > 0)
            {
            }
        });
        Assert.Equal(SocketError.ConnectionReset, clientError.SocketErrorCode);
        var backendError = await Assert.ThrowsAnyAsync<SocketException>(() => streaming.WaitAsync(Deadline));
        Assert.Contains(backendError.SocketErrorCode, new[] { SocketError.ConnectionReset, SocketError.Shutdown });
    }

    [Fact]
    public async Task RunAsync_ManyConcurrentConnections_EachEchoedIntact()
    {
        const int Connections = 100;
        const int Size = 256 * 1024;
        var echoes = await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
        {
            using var relayed = await RelayedAsync();
            var echo = EchoUntilEndAsync(relayed.Backend);
            var sent = SendRandomAsync(relayed.Client, Size, shutdown: true);
            var received = await ReadToEndHashAsync(relayed.Client);
            await echo;
            await relayed.Relay.WaitAsync(Deadline);
            return (Sent: await sent, Received: received);
        })).WaitAsync(Deadline);

        Assert.All(echoes, e => Assert.Equal(e.Sent, e.Received));
    }

    [Fact]
    public async Task RunAsync_AfterDispose_ResetsAtOnce()
    {
        _relay.Dispose();
        using var relayed = await RelayedAsync();

        await relayed.Relay.WaitAsync(Deadline);
        var error = await Assert.ThrowsAsync<SocketException>(() => ReadToEndTextAsync(relayed.Client).WaitAsync(Deadline));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
    }

    private async Task<Relayed> RelayedAsync(CancellationToken ct = default)
    {
        var (client, clientInner) = await ConnectedPairAsync();
        var (backendInner, backend) = await ConnectedPairAsync();
        return new Relayed(client, backend, _relay.RunAsync(clientInner, backendInner, ct));
    }

    private static async Task<(Socket Outer, Socket Inner)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var outer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await outer.ConnectAsync(listener.LocalEndPoint!);
        var inner = await listener.AcceptAsync();
        inner.NoDelay = true;
        return (outer, inner);
    }

    private static async Task EchoOnceAsync(Relayed relayed)
    {
        await relayed.Client.SendAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        for (var got = 0; got < 4;)
            got += await relayed.Backend.ReceiveAsync(buffer.AsMemory(got));
        Assert.Equal("ping"u8.ToArray(), buffer);
    }

    /// <summary>Sends <paramref name="size"/> random bytes in uneven chunks and answers their SHA-256.</summary>
    private static async Task<string> SendRandomAsync(Socket socket, int size, bool shutdown)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[100_003];
        Random.Shared.NextBytes(chunk);
        for (var left = size; left > 0;)
        {
            var part = chunk.AsMemory(0, Math.Min(left, Random.Shared.Next(1, chunk.Length)));
            await socket.SendAsync(part);
            hash.AppendData(part.Span);
            left -= part.Length;
        }
        if (shutdown)
            socket.Shutdown(SocketShutdown.Send);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static async Task<string> ReadToEndHashAsync(Socket socket)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
            hash.AppendData(buffer.AsSpan(0, read));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static async Task<string> ReadToEndTextAsync(Socket socket)
    {
        var text = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
            text.Write(buffer, 0, read);
        return System.Text.Encoding.ASCII.GetString(text.ToArray());
    }

    private static async Task EchoUntilEndAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
            await socket.SendAsync(buffer.AsMemory(0, read));
        socket.Shutdown(SocketShutdown.Send);
    }

    private sealed record Relayed(Socket Client, Socket Backend, Task Relay) : IDisposable
    {
        public void Dispose()
        {
            Client.Dispose();
            Backend.Dispose();
        }
    }
}

/// <summary>The zero-copy relay (this test host is Linux, where it must be available).</summary>
public sealed class SpliceTcpRelayTests() : TcpRelayContractTests(new SpliceTcpRelay(loopCount: 2, NullLogger.Instance))
{
    [Fact]
    public void OfThisHost_OnLinux_SpliceIsAvailable()
    {
        Assert.True(OperatingSystem.IsLinux(), "the relay tests run on Linux nodes only");
        var support = SpliceSupport.OfThisHost;
        Assert.True(support.Available, support.Reason);
    }
}

/// <summary>The relay used where splice is not available.</summary>
public sealed class CopyingTcpRelayTests() : TcpRelayContractTests(new CopyingTcpRelay())
{
    [Fact]
    public void Choose_SpliceUnavailable_FallsBackToCopying()
    {
        using var relay = TcpRelay.Choose(SpliceSupport.Unavailable("splice(2) failed: Invalid argument (errno 22)"), NullLogger.Instance);

        Assert.IsType<CopyingTcpRelay>(relay);
    }

    [Fact]
    public void Choose_SpliceAvailable_Splices()
    {
        using var relay = TcpRelay.Choose(new SpliceSupport(true, "probed"), NullLogger.Instance);

        Assert.IsType<SpliceTcpRelay>(relay);
    }
}
