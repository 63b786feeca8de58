namespace Granary.NodeAgent.Runtime.Simulated;

/// <summary>A session with a process that writes nothing and reads nothing: its output ends when <c>ended</c> does.</summary>
internal sealed class SimulatedStreamSession(Task ended, int? exitCode) : IStreamSession
{
    public Task WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken ct) => Task.CompletedTask;

    public Task CloseStdinAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task<OutputRead> ReadOutputAsync(byte[] buffer, CancellationToken ct)
    {
        await ended.WaitAsync(ct);
        return new OutputRead(LogStream.Stdout, 0);
    }

    public Task ResizeAsync(int width, int height, CancellationToken ct) => Task.CompletedTask;

    public Task<int?> WaitForExitAsync(CancellationToken ct) => Task.FromResult(exitCode);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
