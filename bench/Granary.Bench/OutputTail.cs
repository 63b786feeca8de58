namespace Granary.Bench;

/// <summary>
/// The last lines a child process wrote, kept so a failure can show them; the process's output is otherwise
/// not printed, so that the benchmark's own figures stay readable. Safe to use from the output callbacks' threads.
/// </summary>
internal sealed class OutputTail(int capacity)
{
    private readonly Queue<string> _lines = new(capacity);
    private readonly Lock _lock = new();

    public void Add(string line)
    {
        lock (_lock)
        {
            if (_lines.Count == capacity)
                _lines.Dequeue();
            _lines.Enqueue(line);
        }
    }

    public IReadOnlyList<string> Lines()
    {
        lock (_lock)
            return [.. _lines];
    }

    /// <summary>The kept lines, each indented under a heading, for error output.</summary>
    public string Format(string heading)
    {
        var lines = Lines();
        return lines.Count == 0 ? $"{heading}: (no output)" : $"{heading}:{Environment.NewLine}{string.Join(Environment.NewLine, lines.Select(l => "    " + l))}";
    }
}
