using Docker.DotNet;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>
/// An exec or attach session on the engine's hijacked connection: one multiplexed stream (raw under a terminal)
/// carries the output and the input; resizes and the exit code are separate Engine API calls, given as delegates
/// so this class knows nothing of which kind of session it is.
/// </summary>
internal sealed class DockerStreamSession(
    MultiplexedStream stream,
    Func<int, int, CancellationToken, Task> resize,
    Func<CancellationToken, Task<int?>> exitCode) : IStreamSession
{
    private int _stdinClosed;

    public async Task WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (Volatile.Read(ref _stdinClosed) != 0 || data.IsEmpty)
            return;
        var bytes = data.ToArray();
        try
        {
            await stream.WriteAsync(bytes, 0, bytes.Length, ct);
        }
        catch (IOException)
        {
            // The process closed its input or exited: what it did not read is dropped, as a pipe would.
        }
    }

    public Task CloseStdinAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _stdinClosed, 1) == 0)
        {
            try
            {
                stream.CloseWrite();
            }
            catch (IOException)
            {
                // Already closed by the engine: the end of input has nowhere to go.
            }
        }
        return Task.CompletedTask;
    }

    public async Task<OutputRead> ReadOutputAsync(byte[] buffer, CancellationToken ct)
    {
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct);
            if (read.EOF)
                return new OutputRead(LogStream.Stdout, 0);
            if (read.Count > 0)
                return new OutputRead(read.Target == MultiplexedStream.TargetStream.StandardError ? LogStream.Stderr : LogStream.Stdout, read.Count);
        }
    }

    public Task ResizeAsync(int width, int height, CancellationToken ct) => resize(width, height, ct);

    public Task<int?> WaitForExitAsync(CancellationToken ct) => exitCode(ct);

    public ValueTask DisposeAsync()
    {
        stream.Dispose();
        return ValueTask.CompletedTask;
    }
}
