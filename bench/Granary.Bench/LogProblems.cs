namespace Granary.Bench;

/// <summary>
/// Counts the warning and error entries in a .NET console log ("warn: ", "fail: ", "crit: ") or a logrus log as
/// dockerd writes it ("level=warning", "level=error", "level=fatal") and keeps the first few of each, so a run can
/// say whether the silo, an agent or the engine complained while it was measured. Safe to use from the output callbacks' threads.
/// </summary>
internal sealed class LogProblems
{
    private const int Kept = 5;
    private readonly List<string> _firstErrors = [];
    private readonly List<string> _firstWarnings = [];
    private readonly Lock _lock = new();
    private int _warnings;
    private int _errors;

    public void Add(string line)
    {
        var warning = line.Contains("warn: ", StringComparison.Ordinal) || line.Contains(" level=warning ", StringComparison.Ordinal);
        var error = line.Contains("fail: ", StringComparison.Ordinal) || line.Contains("crit: ", StringComparison.Ordinal)
            || line.Contains(" level=error ", StringComparison.Ordinal) || line.Contains(" level=fatal ", StringComparison.Ordinal);
        if (!warning && !error)
            return;
        lock (_lock)
        {
            // Kept apart, so that a burst of routine warnings does not hide the first errors.
            var (count, first) = error ? (++_errors, _firstErrors) : (++_warnings, _firstWarnings);
            if (count <= Kept)
                first.Add(Shorten(line));
        }
    }

    // Orleans' warnings can run to several hundred characters; the start names the source, the end the subject and the figure.
    private static string Shorten(string line) => line.Length <= 300 ? line : $"{line[..90]} … {line[^200..]}";

    /// <summary>"no warnings or errors", or the counts and the first errors, then the first warnings, indented.</summary>
    public override string ToString()
    {
        lock (_lock)
        {
            if (_warnings + _errors == 0)
                return "no warnings or errors";
            var kept = _firstErrors.Concat(_firstWarnings).Select(l => "    " + l);
            return $"{_warnings} warnings, {_errors} errors; the first of each:{Environment.NewLine}{string.Join(Environment.NewLine, kept)}";
        }
    }
}
