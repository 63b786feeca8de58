namespace Granary.NodeAgent.Runtime;

/// <summary>Which of a process's streams a session connects, and whether it runs under a terminal.</summary>
public sealed record StreamRequest(bool Stdin, bool Stdout, bool Stderr, bool Tty);

/// <summary>One read of a session's output: <see cref="Count"/> bytes of <see cref="Stream"/>; 0 at the end of all output.</summary>
public readonly record struct OutputRead(LogStream Stream, int Count)
{
    public bool IsEnd => Count == 0;
}

/// <summary>
/// A live connection to a process's streams: an exec'd command, or a container's main process (attach). Output
/// arrives as the process writes it; under a terminal stdout and stderr are one stream (stdout). One reader and
/// one writer may use a session at the same time.
/// </summary>
public interface IStreamSession : IAsyncDisposable
{
    /// <summary>Gives the process input. Fails quietly (returns) once the process has closed its stdin.</summary>
    Task WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken ct);

    /// <summary>The end of input: the process reads end-of-file. Idempotent.</summary>
    Task CloseStdinAsync(CancellationToken ct);

    /// <summary>The next output into <paramref name="buffer"/>; <see cref="OutputRead.IsEnd"/> once the process's output has ended.</summary>
    Task<OutputRead> ReadOutputAsync(byte[] buffer, CancellationToken ct);

    /// <summary>Sets the terminal's size; ignored without a terminal.</summary>
    Task ResizeAsync(int width, int height, CancellationToken ct);

    /// <summary>
    /// After the output has ended: the command's exit code, or null for an attach (the container's main process
    /// goes on, or its exit is the pod's business).
    /// </summary>
    Task<int?> WaitForExitAsync(CancellationToken ct);
}
