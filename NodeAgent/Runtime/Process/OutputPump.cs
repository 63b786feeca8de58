using Microsoft.Win32.SafeHandles;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>
/// Copies one output stream of a container from its FIFO into the log file, line by line.
/// The process writes to a FIFO rather than a pipe to the agent because it holds the FIFO open for reading
/// too: when the agent stops, its output waits in the FIFO (and it blocks once that is full) instead of dying
/// of SIGPIPE, and a restarted agent reopens the FIFO and carries on.
/// </summary>
internal static class OutputPump
{
    // Polling backs off while a stream is quiet, so hundreds of idle containers cost little; output resets it.
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Runs until the process has exited (<paramref name="exited"/>) and the FIFO is drained, or until
    /// <paramref name="ct"/> (the agent stopping) ends it early; a partial last line is written either way.
    /// Takes the FIFO already open (before the process starts), so output of a process that exits at once is not lost.
    /// </summary>
    public static async Task RunAsync(SafeFileHandle fifo, LogStream stream, ProcessLogFile log, Func<bool> exited, CancellationToken ct)
    {
        using var handle = fifo;
        var lines = new LineBuffer();
        var buffer = new byte[16 * 1024];
        var poll = FirstPoll;
        while (!ct.IsCancellationRequested)
        {
            // Ask before reading: output written before the exit is in the FIFO by then, so one more empty read ends it.
            var drained = exited();
            var n = HostProcess.ReadAvailable(handle, buffer);
            if (n > 0)
            {
                foreach (var line in lines.Append(buffer.AsSpan(0, n)))
                    log.Append(stream, line);
                poll = FirstPoll;
                continue;
            }
            // 0 (no writer) can also mean the process has not opened its end yet; only the exit decides.
            if (drained)
                break;
            try
            {
                await Task.Delay(poll, ct);
                poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, MaxPoll.Ticks));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
        }
        if (lines.Flush() is { } last)
            log.Append(stream, last);
    }
}
