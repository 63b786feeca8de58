using System.Net.Sockets;
using System.Text;

namespace Granary.Tests.Unit.NodeAgent.Systemd;

/// <summary>
/// systemd's end of NOTIFY_SOCKET: a Unix datagram socket in its own temp dir (or abstract), one datagram per
/// notification, read in order.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string? _dir;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifySocket(bool @abstract = false)
    {
        if (@abstract)
        {
            var name = $"granary-test-{Guid.NewGuid():N}";
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
            Path = "@" + name;
        }
        else
        {
            _dir = Directory.CreateTempSubdirectory("granary-notify-").FullName;
            Path = System.IO.Path.Combine(_dir, "notify.sock");
            _socket.Bind(new UnixDomainSocketEndPoint(Path));
        }
    }

    /// <summary>What NOTIFY_SOCKET would say.</summary>
    public string Path { get; }

    /// <summary>The next notification; fails naming <paramref name="phase"/> if none comes.</summary>
    public async Task<string> NextAsync(string phase)
    {
        var buffer = new byte[4096];
        using var patience = new CancellationTokenSource(Patience);
        try
        {
            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, patience.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            Assert.Fail($"no notification on {Path} within {Patience.TotalSeconds} s while waiting for {phase}");
            throw;
        }
    }

    /// <summary>
    /// Asserts nothing else arrived: a marker sent now must be the next datagram (a datagram socket keeps order).
    /// </summary>
    public async Task AssertNothingMoreAsync()
    {
        using var sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var endPoint = new UnixDomainSocketEndPoint(Path.StartsWith('@') ? "\0" + Path[1..] : Path);
        await sender.SendToAsync(Encoding.UTF8.GetBytes("MARKER"), SocketFlags.None, endPoint);
        Assert.Equal("MARKER", await NextAsync("the end marker"));
    }

    /// <summary>Stops listening; the socket file stays, so senders get ECONNREFUSED as when systemd is gone.</summary>
    public void Close() => _socket.Dispose();

    public void Dispose()
    {
        _socket.Dispose();
        if (_dir is not null)
            Directory.Delete(_dir, recursive: true);
    }
}
