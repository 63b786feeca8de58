using System.Globalization;
using System.Text;

namespace Granary.Silo.Security;

/// <summary>
/// Where audit lines go (<c>--audit-log-path</c>): a file that is rotated when the next line would take it past
/// <c>--audit-log-maxsize</c> megabytes (the full file is renamed with its rotation time, as kube-apiserver's
/// lumberjack does: <c>audit-2026-12-07T15-04-05.000.log</c>) and of which at most <c>--audit-log-maxbackup</c> rotated
/// files are kept; or standard output for "-". Lines are written whole, one writer at a time, and flushed at once, so
/// a crash loses at most the line being written.
/// </summary>
internal sealed class AuditLogFile : IDisposable
{
    public const string Stdout = "-";

    private readonly object _lock = new();
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _maxBackups;
    private readonly TimeProvider _time;
    private Stream? _stream;
    private long _size;

    public AuditLogFile(string path, int maxSizeMegabytes, int maxBackups, TimeProvider time)
    {
        _path = path;
        _maxBytes = maxSizeMegabytes > 0 ? maxSizeMegabytes * 1024L * 1024L : long.MaxValue;
        _maxBackups = maxBackups;
        _time = time;
        if (path == Stdout)
            return;
        CheckWritable(path);
        Open();
    }

    /// <summary>Fails at start, naming the flag, when the log could not be written; the log itself is opened by the API.</summary>
    public static void CheckWritable(string path)
    {
        if (path == Stdout)
            return;
        try
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
                Directory.CreateDirectory(folder);
            using var probe = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ApiSecurityException($"cannot write the audit log {path} (--audit-log-path): {e.Message}. Give a path the silo can write, or \"-\" for standard output.", e);
        }
    }

    public string Describe() => _path == Stdout ? "audit log to standard output" : $"audit log {_path}";

    public void WriteLine(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json + "\n");
        lock (_lock)
        {
            if (_path == Stdout)
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(bytes);
                return;
            }
            if (_size > 0 && _size + bytes.Length > _maxBytes)
                Rotate();
            _stream!.Write(bytes);
            _stream.Flush();
            _size += bytes.Length;
        }
    }

    private void Open()
    {
        _stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _size = _stream.Length;
    }

    private void Rotate()
    {
        _stream!.Dispose();
        var folder = Path.GetDirectoryName(Path.GetFullPath(_path))!;
        var name = Path.GetFileNameWithoutExtension(_path);
        var extension = Path.GetExtension(_path);
        var stamp = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH-mm-ss.fff", CultureInfo.InvariantCulture);
        var rotated = Path.Combine(folder, $"{name}-{stamp}{extension}");
        for (var n = 1; File.Exists(rotated); n++)
            rotated = Path.Combine(folder, $"{name}-{stamp}.{n}{extension}");
        File.Move(_path, rotated);
        if (_maxBackups > 0)
        {
            var backups = Directory.GetFiles(folder, $"{name}-*{extension}").Order(StringComparer.Ordinal).ToList();
            foreach (var old in backups.Take(Math.Max(0, backups.Count - _maxBackups)))
                File.Delete(old);
        }
        Open();
    }

    public void Dispose()
    {
        lock (_lock)
            _stream?.Dispose();
    }
}
