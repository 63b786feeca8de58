using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy.Splice;

/// <summary>
/// The zero-copy relay (Linux): each connection is handed to one of a few <see cref="SpliceLoop"/>s (one per core,
/// round robin), which splice its bytes socket → pipe → socket in the kernel. No thread per connection and no
/// userspace buffer; the loops start with the first connection and stop (resetting what is left) on dispose.
/// </summary>
internal sealed class SpliceTcpRelay : ITcpRelay
{
    /// <summary>
    /// 1 MiB pipes (the default /proc/sys/fs/pipe-max-size) let one splice pair move a whole socket buffer; the
    /// kernel allocates a pipe's pages only while bytes sit in it, so an idle pooled pipe costs a few KB.
    /// </summary>
    public const int PipeSize = 1024 * 1024;

    private const int PooledPipesPerLoop = 64;

    private readonly int _loopCount;
    private readonly Lazy<SpliceLoop[]> _loops;
    private readonly Lock _gate = new();
    private long _nextId;
    private bool _disposed;

    public SpliceTcpRelay(int loopCount, ILogger logger)
    {
        _loopCount = loopCount;
        _loops = new Lazy<SpliceLoop[]>(() => [.. Enumerable.Range(0, loopCount).Select(i => new SpliceLoop($"granary-splice-{i}", PipeSize, PooledPipesPerLoop, logger))]);
    }

    /// <summary>One loop per core, at most four: one loop already moves several GB/s, more only spread many connections.</summary>
    public static int DefaultLoopCount => Math.Clamp(Environment.ProcessorCount, 1, 4);

    public string Description => $"zero-copy splice(2), {_loopCount} epoll thread(s), {PipeSize / 1024} KiB pipes";

    public async Task RunAsync(Socket client, Socket backend, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var connection = new SplicedConnection(id, client, backend);
        SpliceLoop loop;
        lock (_gate)
        {
            if (_disposed)
            {
                TcpRelay.Reset(client);
                TcpRelay.Reset(backend);
                return;
            }
            var loops = _loops.Value;
            loop = loops[(int)(id % loops.Length)];
        }
        if (!loop.Start(connection))
        {
            TcpRelay.Reset(client);
            TcpRelay.Reset(backend);
            return;
        }
        // Registered after Start: a cancel queued before its start would find nothing to cancel.
        await using var cancel = ct.Register(static state =>
        {
            var (loop, connection) = ((SpliceLoop, SplicedConnection))state!;
            loop.Cancel(connection);
        }, (loop, connection));
        await connection.Completion;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        if (_loops.IsValueCreated)
            foreach (var loop in _loops.Value)
                loop.Dispose();
    }
}
