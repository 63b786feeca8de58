using System.Globalization;

namespace Granary.Cli.Arguments;

/// <summary>
/// Go's <c>time.ParseDuration</c>, which kubectl's duration flags (<c>--since 1h30m</c>) use: a sign, then one or
/// more decimal numbers each with a unit (ns, us, µs, ms, s, m, h), e.g. <c>300ms</c>, <c>-1.5h</c>, <c>2h45m</c>;
/// a bare <c>0</c> is zero. Errors carry Go's wording so that flag errors read as kubectl's.
/// </summary>
internal static class GoDuration
{
    private static readonly Dictionary<string, decimal> NanosecondsPerUnit = new(StringComparer.Ordinal)
    {
        ["ns"] = 1m,
        ["us"] = 1_000m,
        ["\u00b5s"] = 1_000m, // micro sign
        ["\u03bcs"] = 1_000m, // Greek small letter mu
        ["ms"] = 1_000_000m,
        ["s"] = 1_000_000_000m,
        ["m"] = 60_000_000_000m,
        ["h"] = 3_600_000_000_000m,
    };

    /// <summary>Go's limit: a duration is a signed 64-bit count of nanoseconds.</summary>
    private const decimal MaxNanoseconds = long.MaxValue;

    /// <summary>The duration, to .NET's 100 ns tick (finer parts are dropped).</summary>
    /// <exception cref="FormatException">Not a Go duration; the message is Go's.</exception>
    public static TimeSpan Parse(string text)
    {
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s is "0")
            return TimeSpan.Zero;
        if (s.IsEmpty)
            throw Invalid(text);

        var total = 0m;
        while (!s.IsEmpty)
        {
            // [0-9]*(\.[0-9]*)? with a digit on at least one side of the point: "1", "1.5", ".5" and "1." are numbers.
            var digits = Leading(s, char.IsAsciiDigit).Length;
            var fraction = digits < s.Length && s[digits] == '.' ? 1 + Leading(s[(digits + 1)..], char.IsAsciiDigit).Length : 0;
            if (digits == 0 && fraction <= 1)
                throw Invalid(text);
            var number = s[..(digits + fraction)];
            s = s[number.Length..];
            var unit = Leading(s, c => !IsNumberChar(c));
            if (unit.Length == 0)
                throw new FormatException($"time: missing unit in duration {Quote(text)}");
            s = s[unit.Length..];
            if (!NanosecondsPerUnit.TryGetValue(unit.ToString(), out var perUnit))
                throw new FormatException($"time: unknown unit {Quote(unit.ToString())} in duration {Quote(text)}");
            if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                throw Invalid(text);
            total += value * perUnit;
            if (total > MaxNanoseconds + (negative ? 1 : 0))
                throw Invalid(text);
        }
        var ticks = (long)decimal.Truncate(total / TimeSpan.NanosecondsPerTick);
        return TimeSpan.FromTicks(negative ? -ticks : ticks);
    }

    private static bool IsNumberChar(char c) => c is '.' or (>= '0' and <= '9');

    private static ReadOnlySpan<char> Leading(ReadOnlySpan<char> s, Func<char, bool> take)
    {
        var i = 0;
        while (i < s.Length && take(s[i]))
            i++;
        return s[..i];
    }

    private static FormatException Invalid(string text) => new($"time: invalid duration {Quote(text)}");

    /// <summary>Go's <c>strconv.Quote</c> for what a command line holds: double quotes, with quotes and backslashes escaped.</summary>
    private static string Quote(string s) => $"\"{s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}
