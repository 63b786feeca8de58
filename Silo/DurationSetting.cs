using System.Globalization;
using System.Text.RegularExpressions;

namespace Granary.Silo;

/// <summary>
/// Durations in settings, written as kube-apiserver's flags take them (<c>1h</c>, <c>90s</c>, <c>1h30m</c>, <c>500ms</c>)
/// or as .NET's <c>hh:mm:ss</c>.
/// </summary>
internal static partial class DurationSetting
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        if (GoForm().Match(text.Trim()) is { Success: true } match)
        {
            foreach (Capture part in match.Groups["part"].Captures)
            {
                var unit = UnitOf(part.Value);
                var number = long.Parse(part.Value[..^unit.Length], CultureInfo.InvariantCulture);
                value += unit switch
                {
                    "h" => TimeSpan.FromHours(number),
                    "m" => TimeSpan.FromMinutes(number),
                    "s" => TimeSpan.FromSeconds(number),
                    _ => TimeSpan.FromMilliseconds(number),
                };
            }
            return true;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    private static string UnitOf(string part) => part.EndsWith("ms", StringComparison.Ordinal) ? "ms" : part[^1..];

    [GeneratedRegex("^(?<part>[0-9]+(ms|h|m|s))+$")]
    private static partial Regex GoForm();
}
