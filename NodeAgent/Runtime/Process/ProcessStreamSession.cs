using System.Threading.Channels;
using SysProcess = System.Diagnostics.Process;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>
/// An interactive exec on the process driver: the command's pipes. stdout and stderr are read by one pump each
/// into a single queue, so the reader sees them in the order they arrived; a stream the caller did not ask for is
/// still drained, so the command never blocks on a full pipe. There is no terminal here.
/// </summary>
internal sealed class ProcessStreamSession : IStreamSession
{
    private const int ChunkSize = 16 * 1024;

    private readonly SysProcess _process;
    private readonly Channel<(LogStream Stream, byte[] Data)> _output = Channel.CreateUnbounded<(LogStream, byte[])>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private (LogStream Stream, byte[] Data, int Offset)? _pending;
    private int _stdinClosed;

    public ProcessStreamSession(SysProcess process, StreamRequest request)
    {
        _process = process;
        var stdout = PumpAsync(process.StandardOutput.BaseStream, LogStream.Stdout, request.Stdout);
        var stderr = PumpAsync(process.StandardError.BaseStream, LogStream.Stderr, request.Stderr);
        _ = Task.WhenAll(stdout, stderr).ContinueWith(_ => _output.Writer.TryComplete(), TaskScheduler.Default);
        if (!request.Stdin)
            _ = CloseStdinAsync(CancellationToken.None);
    }

    public async Task WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (Volatile.Read(ref _stdinClosed) != 0)
            return;
        try
        {
            await _process.StandardInput.BaseStream.WriteAsync(data, ct);
            await _process.StandardInput.BaseStream.FlushAsync(ct);
        }
        catch (IOException)
        {
            // The command closed its stdin or exited: what it did not read is dropped, as a pipe would.
        }
    }

    public Task CloseStdinAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _stdinClosed, 1) == 0)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command is gone; its input has ended anyway.
            }
        }
        return Task.CompletedTask;
    }

    public async Task<OutputRead> ReadOutputAsync(byte[] buffer, CancellationToken ct)
    {
        if (_pending is not { } pending)
        {
            if (!await _output.Reader.WaitToReadAsync(ct) || !_output.Reader.TryRead(out var next))
                return new OutputRead(LogStream.Stdout, 0);
            pending = (next.Stream, next.Data, 0);
        }
        var count = Math.Min(buffer.Length, pending.Data.Length - pending.Offset);
        pending.Data.AsSpan(pending.Offset, count).CopyTo(buffer);
        _pending = pending.Offset + count < pending.Data.Length ? pending with { Offset = pending.Offset + count } : null;
        return new OutputRead(pending.Stream, count);
    }

    public Task ResizeAsync(int width, int height, CancellationToken ct) => Task.CompletedTask;

    public async Task<int?> WaitForExitAsync(CancellationToken ct)
    {
        await _process.WaitForExitAsync(ct);
        return _process.ExitCode;
    }

    /// <summary>A session that ends before its command (the client went away) kills the command, as a hang-up would.</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task PumpAsync(Stream from, LogStream stream, bool wanted)
    {
        var buffer = new byte[ChunkSize];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (wanted)
                    _output.Writer.TryWrite((stream, buffer[..read]));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The session was disposed: nobody reads the rest.
        }
    }
}
