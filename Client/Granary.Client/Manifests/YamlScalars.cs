using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Granary.Client.Manifests;

/// <summary>
/// How a plain (unquoted) YAML scalar reads. The reader follows the YAML 1.2 core schema; the writer also
/// quotes what YAML 1.1 readers (yes/no/on/off, 0b101, 1_000, 12:30, dates) would take for another type,
/// so files it writes mean the same to every tool.
/// </summary>
internal static partial class YamlScalars
{
    public enum Kind { String, Null, Bool, Int, Float, NotJson }

    /// <summary>Resolves a plain scalar by the YAML 1.2 core schema.</summary>
    public static Kind Resolve(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => Kind.Null,
        "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => Kind.Bool,
        _ when CoreInt().IsMatch(text) || OctalInt().IsMatch(text) || HexInt().IsMatch(text) => Kind.Int,
        _ when CoreFloat().IsMatch(text) => Kind.Float,
        _ when Infinity().IsMatch(text) || NotANumber().IsMatch(text) => Kind.NotJson,
        _ => Kind.String,
    };

    /// <summary>The JSON value of a plain scalar; null for YAML null. Throws <see cref="FormatException"/> for .inf/.nan.</summary>
    public static JsonNode? ToJson(string text)
    {
        switch (Resolve(text))
        {
            case Kind.Null:
                return null;
            case Kind.Bool:
                return JsonValue.Create(text[0] is 't' or 'T');
            case Kind.Int when text.StartsWith("0o", StringComparison.Ordinal):
                return JsonValue.Create(Convert.ToInt64(text[2..], 8));
            case Kind.Int when text.StartsWith("0x", StringComparison.Ordinal):
                return ulong.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex)
                    ? JsonValue.Create(hex)
                    : throw new FormatException($"the number {text} is too large");
            case Kind.Int or Kind.Float:
                // Parsed from JSON text so that the digits are kept as written (a quantity "1.50" stays "1.50").
                return JsonNode.Parse(ToJsonNumber(text));
            case Kind.NotJson:
                throw new FormatException($"the number {text} cannot be represented in JSON");
            default:
                return JsonValue.Create(text);
        }
    }

    /// <summary>Whether a string must be quoted so that a YAML reader gives back the same string.</summary>
    public static bool NeedsQuotes(string text) => ReadsAsOtherType(text) || !CanBePlain(text);

    /// <summary>Whether the plain form would read as null, a bool, a number or a date (YAML 1.2 or 1.1).</summary>
    public static bool ReadsAsOtherType(string text) =>
        Resolve(text) != Kind.String
        || Yaml11Word().IsMatch(text)
        || Yaml11Number().IsMatch(text)
        || Yaml11Base60().IsMatch(text)
        || Yaml11Radix().IsMatch(text)
        || DateLike().IsMatch(text)
        || text is "<<" or "=";

    /// <summary>Whether the characters allow a plain scalar in block context at all.</summary>
    private static bool CanBePlain(string text)
    {
        if (text.Length == 0 || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
            return false;
        if ("[]{},#&*!|>'\"%@`".Contains(text[0], StringComparison.Ordinal))
            return false;
        if (text[0] is '-' or '?' or ':' && (text.Length == 1 || text[1] == ' '))
            return false;
        if (text.StartsWith("---", StringComparison.Ordinal) || text.StartsWith("...", StringComparison.Ordinal))
            return false;
        if (text.EndsWith(':') || text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal))
            return false;
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF')
                return false;
        }
        return true;
    }

    /// <summary>YAML number text as JSON number text: no leading '+', no leading zeros, digits around the point.</summary>
    private static string ToJsonNumber(string text)
    {
        var m = NumberParts().Match(text);
        var sign = m.Groups["sign"].Value == "-" ? "-" : "";
        var whole = m.Groups["int"].Value.TrimStart('0');
        var fraction = m.Groups["frac"].Value;
        var exponent = m.Groups["exp"].Value;
        return $"{sign}{(whole.Length == 0 ? "0" : whole)}{(fraction.Length == 0 ? "" : "." + fraction)}{exponent}";
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex CoreInt();

    [GeneratedRegex(@"^0o[0-7]+$")]
    private static partial Regex OctalInt();

    [GeneratedRegex(@"^0x[0-9a-fA-F]+$")]
    private static partial Regex HexInt();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex CoreFloat();

    [GeneratedRegex(@"^(?<sign>[-+]?)(?<int>[0-9]*)(\.(?<frac>[0-9]*))?(?<exp>[eE][-+]?[0-9]+)?$")]
    private static partial Regex NumberParts();

    [GeneratedRegex(@"^[-+]?\.(inf|Inf|INF)$")]
    private static partial Regex Infinity();

    [GeneratedRegex(@"^\.(nan|NaN|NAN)$")]
    private static partial Regex NotANumber();

    [GeneratedRegex(@"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")]
    private static partial Regex Yaml11Word();

    // Ints and floats with underscores or leading zeros (1_000, 017, 1_0.5), as YAML 1.1 reads them.
    [GeneratedRegex(@"^[-+]?(?=\.?[0-9])[0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex Yaml11Number();

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")]
    private static partial Regex Yaml11Base60();

    [GeneratedRegex(@"^[-+]?0[xob][0-9a-fA-F_]+$")]
    private static partial Regex Yaml11Radix();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")]
    private static partial Regex DateLike();
}
