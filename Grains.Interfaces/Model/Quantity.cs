using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Serialization;
using Granary.Serialization;

namespace Granary.Model;

/// <summary>
/// A Kubernetes resource quantity (<c>100m</c>, <c>0.5</c>, <c>128Mi</c>, <c>1G</c>, <c>1e3</c>).
/// Keeps the text the user wrote, so objects round-trip unchanged; compare amounts through <see cref="Amount"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.Quantity")]
[JsonConverter(typeof(QuantityJsonConverter))]
public readonly record struct Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1e3m), ("M", 1e6m), ("G", 1e9m),
        ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    /// <summary>What a quantity must look like, in Kubernetes' words.</summary>
    public const string FormatRule = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    [Id(0)] public string Text { get; }

    /// <summary>The amount in base units (cores, bytes, pods).</summary>
    public decimal Amount => TryParseAmount(Text, out var amount) ? amount : 0m;

    /// <summary>The amount in thousandths, rounded up, as Kubernetes' MilliValue; held at the bounds of a long.</summary>
    public long MilliValue => Saturate(Amount, 1000m);

    /// <summary>The amount rounded up to a whole unit, as Kubernetes' Value; held at the bounds of a long.</summary>
    public long Value => Saturate(Amount, 1m);

    public Quantity(string text) => Text = text;

    public static Quantity FromMilli(long milli) =>
        milli % 1000 == 0 ? new((milli / 1000).ToString(CultureInfo.InvariantCulture)) : new($"{milli}m");

    public static Quantity FromBytes(long bytes) =>
        bytes % (1024 * 1024) == 0 && bytes != 0 ? new($"{bytes / (1024 * 1024)}Mi")
        : bytes % 1024 == 0 && bytes != 0 ? new($"{bytes / 1024}Ki")
        : new(bytes.ToString(CultureInfo.InvariantCulture));

    public static Quantity FromCount(long count) => new(count.ToString(CultureInfo.InvariantCulture));

    /// <summary>Parses a quantity; throws <see cref="FormatException"/> naming the accepted forms.</summary>
    public static Quantity Parse(string text) =>
        TryParse(text, out var q) ? q
        : throw new FormatException($"{FormatRule}: \"{text}\"");

    public static bool TryParse(string? text, out Quantity quantity)
    {
        quantity = default;
        if (text is null || !TryParseAmount(text, out _))
            return false;
        quantity = new Quantity(text);
        return true;
    }

    public static bool IsValid(string? text) => text is not null && TryParseAmount(text, out _);

    private static bool TryParseAmount(string? text, [NotNullWhen(true)] out decimal amount)
    {
        amount = 0;
        if (string.IsNullOrWhiteSpace(text) || text.Trim() != text)
            return false;

        var number = text;
        var factor = 1m;
        foreach (var (suffix, f) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                number = text[..^suffix.Length];
                factor = f;
                break;
            }
        }

        if (factor == 1m)
        {
            // Decimal exponent form: 1e3, 1E-2. Not confused with the "E" (exa) suffix, checked above.
            var e = text.IndexOfAny(['e', 'E']);
            if (e > 0)
            {
                if (!int.TryParse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exp) || exp is > 18 or < -9)
                    return false;
                number = text[..e];
                factor = (decimal)Math.Pow(10, exp);
            }
        }

        if (number.Length == 0 || number.Any(c => !(char.IsAsciiDigit(c) || c is '.' or '+' or '-'))
            || number.LastIndexOfAny(['+', '-']) > 0 || number.Count(c => c == '.') > 1 || number is "." or "+" or "-")
            return false;
        if (!decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            return false;
        try
        {
            amount = n * factor;
        }
        catch (OverflowException)
        {
            return false;
        }
        return true;
    }

    // A casting overflow would throw from a property getter; 1Ei in thousandths is already past long.MaxValue.
    private static long Saturate(decimal amount, decimal scale)
    {
        var bound = long.MaxValue / scale;
        return amount >= bound ? long.MaxValue
            : amount <= -bound ? long.MinValue
            : (long)decimal.Ceiling(amount * scale);
    }

    public override string ToString() => Text ?? "0";
}
