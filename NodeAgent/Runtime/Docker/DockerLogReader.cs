using System.Runtime.CompilerServices;
using Docker.DotNet;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>
/// Reads a non-TTY log stream: <see cref="MultiplexedStream"/> separates the stdout and stderr frames, each
/// stream is cut into lines (a line split across reads waits for its newline), and the timestamp the engine
/// puts in front of each line (Timestamps=true) becomes <see cref="LogLine.Timestamp"/>.
/// </summary>
internal static class DockerLogReader
{
    public static async IAsyncEnumerable<LogLine> ReadAsync(
        MultiplexedStream stream, Func<Exception, Exception> classify, [EnumeratorCancellation] CancellationToken ct)
    {
        var stdout = new LineBuffer();
        var stderr = new LineBuffer();
        var last = DateTimeOffset.UnixEpoch;
        var buffer = new byte[16 * 1024];
        // A socket read does not always observe the token; closing the stream always ends it.
        await using var closeOnCancel = ct.Register(stream.Dispose);
        while (true)
        {
            var read = await ReadChunkAsync(stream, buffer, classify, ct);
            if (read is not { } chunk)
                yield break; // cancelled: following ends here, cleanly
            if (chunk.EOF)
                break;
            var isErr = chunk.Target == MultiplexedStream.TargetStream.StandardError;
            foreach (var text in (isErr ? stderr : stdout).Append(buffer.AsSpan(0, chunk.Count)))
                yield return ToLine(text, isErr ? LogStream.Stderr : LogStream.Stdout, ref last);
        }
        if (stdout.Flush() is { } outTail)
            yield return ToLine(outTail, LogStream.Stdout, ref last);
        if (stderr.Flush() is { } errTail)
            yield return ToLine(errTail, LogStream.Stderr, ref last);
    }

    /// <summary>One chunk; null when the caller cancelled (however the cancelled read surfaced).</summary>
    private static async Task<MultiplexedStream.ReadResult?> ReadChunkAsync(
        MultiplexedStream stream, byte[] buffer, Func<Exception, Exception> classify, CancellationToken ct)
    {
        try
        {
            return await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw classify(e);
        }
    }

    private static LogLine ToLine(string text, LogStream stream, ref DateTimeOffset last)
    {
        // A line without a timestamp (never seen from dockerd) keeps the previous line's time, so order holds.
        if (LogTimestamp.TrySplit(text, out var time, out var rest))
        {
            last = time;
            return new LogLine(time, stream, rest);
        }
        return new LogLine(last, stream, text);
    }
}
