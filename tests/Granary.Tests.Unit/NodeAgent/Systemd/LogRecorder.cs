using Microsoft.Extensions.Logging;

namespace Granary.Tests.Unit.NodeAgent.Systemd;

/// <summary>Records every log entry and lets a test wait for one, as a barrier.</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    public sealed record Entry(LogLevel Level, string Category, string Message);

    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];
    private readonly List<(Func<Entry, bool> Match, TaskCompletionSource Seen)> _waiters = [];

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_lock)
                return [.. _entries];
        }
    }

    public ILogger<T> For<T>() => new Logger<T>(new LoggerFactory([this]));

    public async Task WaitForAsync(LogLevel level, string text, string phase)
    {
        bool Match(Entry e) => e.Level == level && e.Message.Contains(text, StringComparison.Ordinal);
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_entries.Any(Match))
                return;
            _waiters.Add((Match, seen));
        }
        try
        {
            await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no {level} log containing \"{text}\" within 30 s while waiting for {phase}; logged: "
                + string.Join(" | ", Entries.Select(e => $"{e.Level} {e.Message}")));
        }
    }

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this, categoryName);

    public void Dispose()
    {
        // Nothing held.
    }

    private void Add(Entry entry)
    {
        List<TaskCompletionSource> seen;
        lock (_lock)
        {
            _entries.Add(entry);
            seen = [.. _waiters.Where(w => w.Match(entry)).Select(w => w.Seen)];
            _waiters.RemoveAll(w => seen.Contains(w.Seen));
        }
        foreach (var s in seen)
            s.TrySetResult();
    }

    private sealed class RecordingLogger(LogRecorder recorder, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            recorder.Add(new(logLevel, category, formatter(state, exception)));
    }
}
