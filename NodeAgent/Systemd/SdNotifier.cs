using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Systemd;

/// <summary>
/// Sends sd_notify(3) datagrams ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=…") to systemd's notify socket.
/// A no-op when the agent does not run under systemd. Never throws: a service manager that went away
/// (ECONNREFUSED) must not take the agent with it, so failures are logged and the call returns false.
/// </summary>
public sealed partial class SdNotifier : IDisposable
{
    private readonly ILogger<SdNotifier> _logger;
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private readonly Lock _lock = new();
    private Socket? _socket;
    private bool _failing;
    private bool _disposed;

    /// <summary>Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.</summary>
    public SdNotifier(ILogger<SdNotifier> logger)
        : this(SystemdEnvironment.NotifySocket(Environment.GetEnvironmentVariable),
            SystemdEnvironment.WatchdogInterval(Environment.GetEnvironmentVariable, Environment.ProcessId), logger)
    {
    }

    /// <param name="socketPath">An absolute path, or '@name' for an abstract socket; null: notifications are dropped.</param>
    /// <param name="watchdogInterval">systemd's watchdog timeout (WATCHDOG_USEC); null: no watchdog.</param>
    public SdNotifier(string? socketPath, TimeSpan? watchdogInterval, ILogger<SdNotifier> logger)
    {
        _logger = logger;
        WatchdogInterval = watchdogInterval;
        if (socketPath is null)
            return;
        if (socketPath.Length < 2 || socketPath[0] is not ('/' or '@'))
        {
            LogUnsupportedSocket(_logger, socketPath);
            return;
        }
        try
        {
            // An abstract socket's name starts with a NUL byte where NOTIFY_SOCKET has '@'.
            _endPoint = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
            SocketPath = socketPath;
        }
        catch (ArgumentException e)
        {
            LogUnsupportedSocket(_logger, $"{socketPath} ({e.Message})");
        }
    }

    /// <summary>Where notifications go, or null when they are dropped.</summary>
    public string? SocketPath { get; }

    public bool IsEnabled => _endPoint is not null;

    /// <summary>systemd's watchdog timeout: WATCHDOG=1 is due at least this often (every half of it is customary).</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Sends one notification ("READY=1", newline-separated assignments for several); true when it was delivered.</summary>
    public bool Notify(string state)
    {
        if (_endPoint is null)
            return false;
        var bytes = Encoding.UTF8.GetBytes(state);
        lock (_lock)
        {
            if (_disposed)
                return false;
            try
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                _socket.SendTo(bytes, SocketFlags.None, _endPoint);
                if (_failing)
                    LogDeliveredAgain(_logger, SocketPath!);
                _failing = false;
                return true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_failing)
                    LogStillFailing(_logger, state, SocketPath!, e.Message);
                else
                    LogFailed(_logger, state, SocketPath!, e.Message);
                _failing = true;
                return false;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _socket?.Dispose();
            _socket = null;
        }
    }
}
