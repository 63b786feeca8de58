using System.Net.Sockets;
using System.Text;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// systemd's end of a Type=notify service's NOTIFY_SOCKET: a unix datagram socket in its own temp folder, and every
/// notification received on it, in order (one per datagram). Waits are barriers on them.
/// </summary>
public sealed class SystemdNotifications : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-notify-").FullName;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _received = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SystemdNotifications()
    {
        SocketPath = Path.Combine(_dir, "notify");
        _socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>What NOTIFY_SOCKET says.</summary>
    public string SocketPath { get; }

    public List<string> All
    {
        get { lock (_received) return [.. _received]; }
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                lock (_received)
                {
                    _received.Add(Encoding.UTF8.GetString(buffer, 0, n));
                    _changed.TrySetResult();
                    _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> notifications equal to <paramref name="state"/> arrived after the first
    /// <paramref name="after"/> ones; returns how many notifications there were by then. A timeout names the phase,
    /// the service and what it sent, with its output.
    /// </summary>
    public async Task<int> WaitForAsync(string state, int count, int after, string phase, string service, Func<string> output)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            Task changed;
            lock (_received)
            {
                var seen = 0;
                for (var i = after; i < _received.Count; i++)
                {
                    if (_received[i] == state && ++seen == count)
                        return i + 1;
                }
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
                throw new TimeoutException($"{phase}: {service} sent [{string.Join(", ", All)}] within {Wait.TotalSeconds:0}s. Its output:\n{output()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
        _socket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
