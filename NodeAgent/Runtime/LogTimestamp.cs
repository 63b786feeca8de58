using System.Globalization;

namespace Granary.NodeAgent.Runtime;

/// <summary>
/// RFC 3339 timestamps as log lines carry them ("2026-11-26T22:17:35.123456789Z text"), as Docker writes them
/// and as the process driver's log files store them.
/// </summary>
internal static class LogTimestamp
{
    /// <summary>Seven fractional digits: all a <see cref="DateTimeOffset"/> holds.</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses an RFC 3339 time with any number of fractional digits (Docker writes nine).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        var dot = text.IndexOf('.');
        if (dot < 0)
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
        var digits = 0;
        while (dot + 1 + digits < text.Length && char.IsAsciiDigit(text[dot + 1 + digits]))
            digits++;
        // .NET parses at most seven fractional digits: drop the nanoseconds it cannot hold.
        var kept = Math.Min(digits, 7);
        Span<char> trimmed = stackalloc char[text.Length];
        text[..(dot + 1 + kept)].CopyTo(trimmed);
        text[(dot + 1 + digits)..].CopyTo(trimmed[(dot + 1 + kept)..]);
        var length = text.Length - (digits - kept);
        return DateTimeOffset.TryParse(trimmed[..length], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    /// <summary>Splits "TIMESTAMP rest" into its time and the rest; false when the line does not start with a time.</summary>
    public static bool TrySplit(string line, out DateTimeOffset time, out string rest)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var head = space < 0 ? line.AsSpan() : line.AsSpan(0, space);
        if (TryParse(head, out time))
        {
            rest = space < 0 ? "" : line[(space + 1)..];
            return true;
        }
        rest = line;
        return false;
    }
}
