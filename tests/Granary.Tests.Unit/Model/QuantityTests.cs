using Granary.Model;

namespace Granary.Tests.Unit.Model;

public class QuantityTests
{
    [Theory]
    [InlineData("100m", 100)]
    [InlineData("0.5", 500)]
    [InlineData("1", 1000)]
    [InlineData("0", 0)]
    [InlineData("128Mi", 134217728000)]
    [InlineData("1Ki", 1024000)]
    [InlineData("1k", 1000000)]
    [InlineData("1e3", 1000000)]
    [InlineData("1E3", 1000000)]
    [InlineData("1e-3", 1)]
    [InlineData("+2", 2000)]
    [InlineData("-1", -1000)]
    [InlineData("5n", 1)]
    [InlineData("1u", 1)]
    [InlineData("2.5m", 3)]
    public void MilliValue_ValidText_InThousandthsRoundedUp(string text, long expected)
    {
        Assert.True(Quantity.IsValid(text));
        Assert.Equal(expected, Quantity.Parse(text).MilliValue);
    }

    [Theory]
    [InlineData("128Mi", 134217728)]
    [InlineData("1.5Gi", 1610612736)]
    [InlineData("1G", 1000000000)]
    [InlineData("1e3", 1000)]
    [InlineData("2Ti", 2199023255552)]
    [InlineData("1Ei", 1152921504606846976)]
    [InlineData("1E", 1000000000000000000)]
    [InlineData("1.5", 2)]
    [InlineData("100m", 1)]
    public void Value_ValidText_InWholeUnitsRoundedUp(string text, long expected) =>
        Assert.Equal(expected, Quantity.Parse(text).Value);

    [Theory]
    [InlineData("1.5Gi", "1610612736")]
    [InlineData("0.5", "0.5")]
    [InlineData("250m", "0.250")]
    [InlineData("1e-3", "0.001")]
    public void Amount_ValidText_InBaseUnits(string text, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Quantity.Parse(text).Amount);

    [Theory]
    [InlineData("1Ei", long.MaxValue)]
    [InlineData("-1Ei", long.MinValue)]
    [InlineData("8E", long.MaxValue)]
    public void MilliValue_BeyondLong_HeldAtTheBound(string text, long expected) =>
        Assert.Equal(expected, Quantity.Parse(text).MilliValue);

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("--1")]
    [InlineData("1-")]
    [InlineData("1Zi")]
    [InlineData("1K")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1 Mi")]
    [InlineData("Mi")]
    [InlineData(".")]
    [InlineData("+")]
    [InlineData("1e")]
    [InlineData("e3")]
    [InlineData("1e3m")]
    public void IsValid_InvalidText_False(string text)
    {
        Assert.False(Quantity.IsValid(text));
        Assert.False(Quantity.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => Quantity.Parse(text));
        Assert.Equal($"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': \"{text}\"", e.Message);
    }

    [Fact]
    public void IsValid_Null_False() => Assert.False(Quantity.IsValid(null));

    [Theory]
    [InlineData(1500, "1500m")]
    [InlineData(2000, "2")]
    [InlineData(0, "0")]
    public void FromMilli_Amount_ShortestText(long milli, string expected) =>
        Assert.Equal(expected, Quantity.FromMilli(milli).Text);

    [Theory]
    [InlineData(134217728, "128Mi")]
    [InlineData(1536, "1536")]
    [InlineData(2048, "2Ki")]
    [InlineData(0, "0")]
    public void FromBytes_Amount_BinarySuffixWhenWhole(long bytes, string expected)
    {
        var q = Quantity.FromBytes(bytes);
        Assert.Equal((expected, bytes), (q.Text, q.Value));
    }
}
