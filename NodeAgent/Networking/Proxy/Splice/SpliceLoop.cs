using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy.Splice;

/// <summary>
/// One thread with its own epoll instance that drives every spliced connection handed to it, edge-triggered (the way
/// HAProxy's pollers do): a readiness event of either socket pumps both directions until they would block. Other
/// threads talk to it only through <see cref="Start"/> and <see cref="Cancel"/>, which queue a command and wake it
/// by an eventfd; connections, pipes and socket descriptors are touched on this thread alone.
/// </summary>
internal sealed partial class SpliceLoop : IDisposable
{
    private const ulong WakeToken = 0;
    private const int EventsPerWait = 256;
    private const uint SocketEvents = SpliceSyscalls.EpollIn | SpliceSyscalls.EpollOut | SpliceSyscalls.EpollRdHup | SpliceSyscalls.EpollEdgeTriggered;

    private readonly FileDescriptor _epoll = SpliceSyscalls.CreateEpoll();
    private readonly FileDescriptor _wake = SpliceSyscalls.CreateEventFd();
    private readonly ConcurrentQueue<Command> _commands = new();
    private readonly Dictionary<long, SplicedConnection> _connections = [];
    private readonly Queue<SplicedConnection> _busy = new();
    private readonly PipePool _pipes;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly Lock _gate = new();
    private bool _stopping;
    private bool _disposed;

    public SpliceLoop(string name, int pipeSize, int pooledPipes, ILogger logger)
    {
        _pipes = new PipePool(pipeSize, pooledPipes);
        _logger = logger;
        if (SpliceSyscalls.EpollAdd(_epoll, _wake, SpliceSyscalls.EpollIn, WakeToken) is var errno and not 0)
            throw new IOException($"epoll_ctl (wake-up eventfd) failed: {SpliceSyscalls.Describe(errno)}");
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>Hands a connection to the loop; false when the loop is stopping (the caller resets the sockets).</summary>
    public bool Start(SplicedConnection connection) => Post(new Command(CommandKind.Start, connection));

    /// <summary>Resets a connection (the proxy stops); nothing happens if it already closed.</summary>
    public void Cancel(SplicedConnection connection) => Post(new Command(CommandKind.Cancel, connection));

    /// <summary>Resets every connection still open, closes the pooled pipes and ends the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            if (!_stopping)
                _commands.Enqueue(new Command(CommandKind.Stop, null));
            _stopping = true;
        }
        SpliceSyscalls.SignalEventFd(_wake);
        _thread.Join();
        _epoll.Dispose();
        _wake.Dispose();
    }

    private bool Post(Command command)
    {
        lock (_gate)
        {
            if (_stopping)
                return false;
            _commands.Enqueue(command);
        }
        SpliceSyscalls.SignalEventFd(_wake);
        return true;
    }

    private void Run()
    {
        var events = GC.AllocateArray<byte>(EventsPerWait * SpliceSyscalls.EpollEventSize, pinned: true);
        try
        {
            while (true)
            {
                // With connections waiting for another turn, only look for new events; otherwise sleep until one comes.
                var count = SpliceSyscalls.EpollWait(_epoll, events, _busy.Count > 0 ? 0 : -1);
                for (var i = 0; i < count; i++)
                {
                    var (ready, data) = SpliceSyscalls.EpollEventAt(events, i);
                    if (data == WakeToken)
                    {
                        SpliceSyscalls.DrainEventFd(_wake);
                        if (!RunCommands())
                            return;
                    }
                    else if (_connections.TryGetValue((long)data, out var connection))
                    {
                        // Bytes that arrived before an error still go through; then the error resets both sides even
                        // when no direction would have touched the failed socket (e.g. a reset after a half-close).
                        Step(connection);
                        if ((ready & SpliceSyscalls.EpollErr) != 0 && _connections.ContainsKey(connection.Id))
                            Fail(connection, "socket error reported by epoll", 0);
                    }
                }
                for (var turns = _busy.Count; turns > 0 && _busy.TryDequeue(out var busy); turns--)
                    if (!busy.Closed)
                        Step(busy);
            }
        }
        catch (Exception e)
        {
            // A failing epoll_wait leaves no way to drive the connections: reset them rather than leave them hanging.
            LogLoopFailed(_logger, e);
            lock (_gate)
                _stopping = true;
            while (_commands.TryDequeue(out var command))
                command.Connection?.Close(_pipes, reset: true);
        }
        finally
        {
            foreach (var connection in _connections.Values)
                connection.Close(_pipes, reset: true);
            _connections.Clear();
            _pipes.Dispose();
        }
    }

    /// <summary>Runs the queued commands; false once asked to stop.</summary>
    private bool RunCommands()
    {
        while (_commands.TryDequeue(out var command))
        {
            switch (command.Kind)
            {
                case CommandKind.Start:
                    Open(command.Connection!);
                    break;
                case CommandKind.Cancel when _connections.ContainsKey(command.Connection!.Id):
                    Remove(command.Connection);
                    command.Connection.Close(_pipes, reset: true);
                    break;
                case CommandKind.Stop:
                    return false;
            }
        }
        return true;
    }

    private void Open(SplicedConnection connection)
    {
        try
        {
            connection.Open(_pipes);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            LogOpenFailed(_logger, connection.Id, e.Message);
            connection.Close(_pipes, reset: true);
            return;
        }
        _connections.Add(connection.Id, connection);
        var errno = SpliceSyscalls.EpollAdd(_epoll, connection.ClientHandle, SocketEvents, (ulong)connection.Id);
        if (errno == 0)
            errno = SpliceSyscalls.EpollAdd(_epoll, connection.BackendHandle, SocketEvents, (ulong)connection.Id);
        if (errno != 0)
        {
            Fail(connection, "epoll_ctl", errno);
            return;
        }
        // Bytes that arrived before the sockets were watched raise no edge: pump once now.
        Step(connection);
    }

    private void Step(SplicedConnection connection)
    {
        switch (connection.Step(out var errno))
        {
            case StepOutcome.Busy:
                _busy.Enqueue(connection);
                break;
            case StepOutcome.Finished:
                Remove(connection);
                connection.Close(_pipes, reset: false);
                break;
            case StepOutcome.Failed:
                Fail(connection, "splice", errno);
                break;
        }
    }

    private void Fail(SplicedConnection connection, string what, int errno)
    {
        LogConnectionReset(_logger, connection.Id, what, errno == 0 ? "-" : SpliceSyscalls.Describe(errno));
        Remove(connection);
        connection.Close(_pipes, reset: true);
    }

    private void Remove(SplicedConnection connection)
    {
        if (!_connections.Remove(connection.Id))
            return;
        SpliceSyscalls.EpollRemove(_epoll, connection.ClientHandle);
        SpliceSyscalls.EpollRemove(_epoll, connection.BackendHandle);
    }

    private enum CommandKind
    {
        Start,
        Cancel,
        Stop,
    }

    private readonly record struct Command(CommandKind Kind, SplicedConnection? Connection);
}
