using System.Runtime.CompilerServices;
using System.Text;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>
/// A container's log, one line per output line in the CRI format the kubelet uses
/// ("2026-11-26T22:17:35.1234567Z stdout F text"), so it reads back like Docker's: stream, time, text.
/// Both output streams append to the same file; readers may read while it grows.
/// </summary>
internal sealed class ProcessLogFile(string path, TimeProvider time) : IDisposable
{
    public const string FileName = "container.log";

    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(50);

    private readonly Lock _lock = new();
    private FileStream? _writer;

    public string Path => path;

    public void Append(LogStream stream, string text)
    {
        var line = Encoding.UTF8.GetBytes($"{LogTimestamp.Format(time.GetUtcNow())} {(stream == LogStream.Stderr ? "stderr" : "stdout")} F {text}\n");
        lock (_lock)
        {
            _writer ??= new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            // One write per line, flushed, so a reader sees whole lines as soon as they exist.
            _writer.Write(line);
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    /// <summary>
    /// The lines matching <paramref name="options"/>; when following, then every line appended later until
    /// <paramref name="finished"/> says no more can come (the container exited and its output was drained)
    /// or the caller cancels, which ends the enumeration cleanly.
    /// </summary>
    public static async IAsyncEnumerable<LogLine> ReadAsync(
        string path, LogOptions options, Func<bool> finished, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var pending = new StringBuilder();
        var existing = ReadComplete(file, pending).Where(l => options.Since is not { } since || l.Timestamp >= since).ToList();
        foreach (var line in options.Tail is { } tail ? existing.TakeLast(Math.Max(0, tail)) : existing)
            yield return line;
        if (!options.Follow)
            yield break;
        while (!ct.IsCancellationRequested)
        {
            // Read "finished" before the file: whatever was written before it turned true is read below.
            var done = finished();
            foreach (var line in ReadComplete(file, pending))
                yield return line;
            if (done)
                yield break;
            try
            {
                await Task.Delay(FollowPoll, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                yield break;
            }
        }
    }

    /// <summary>The whole lines from the file's current position; a line still being written waits in <paramref name="pending"/>.</summary>
    private static List<LogLine> ReadComplete(FileStream file, StringBuilder pending)
    {
        var lines = new List<LogLine>();
        using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024, leaveOpen: true);
        pending.Append(reader.ReadToEnd());
        var text = pending.ToString();
        var end = text.LastIndexOf('\n');
        if (end < 0)
            return lines;
        foreach (var raw in text[..end].Split('\n'))
        {
            if (Parse(raw) is { } line)
                lines.Add(line);
        }
        pending.Clear().Append(text, end + 1, text.Length - end - 1);
        return lines;
    }

    /// <summary>One "TIME STREAM TAG TEXT" line; null for a line that is not in that form.</summary>
    internal static LogLine? Parse(string raw)
    {
        if (!LogTimestamp.TrySplit(raw, out var time, out var rest))
            return null;
        var parts = rest.Split(' ', 3);
        if (parts.Length < 3 || parts[0] is not ("stdout" or "stderr"))
            return null;
        return new LogLine(time, parts[0] == "stderr" ? LogStream.Stderr : LogStream.Stdout, parts[2]);
    }
}
