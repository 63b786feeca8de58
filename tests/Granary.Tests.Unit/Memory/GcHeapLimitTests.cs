using Granary.Silo;
using Microsoft.Extensions.Configuration;

namespace Granary.Tests.Unit.Memory;

/// <summary>
/// The managed heap's ceiling: values below the minimum or not a number of bytes are refused with the setting's name and the value, 0 leaves the
/// runtime alone. (A value that is taken would set the limit of this test process too, so none is applied here; the
/// soak command and SoakTests run silos with it.)
/// </summary>
public class GcHeapLimitTests
{
    private static IConfiguration Setting(string value) => new ConfigurationBuilder()
        .AddInMemoryCollection([new KeyValuePair<string, string?>(GcHeapLimit.Setting, value)])
        .Build();

    [Theory]
    [InlineData("-1")]
    [InlineData("1048576")]
    [InlineData("134217727")]
    [InlineData("512Mi")]
    [InlineData("")]
    public void Apply_BelowTheMinimumOrNotBytes_NamesTheSettingAndTheValue(string value)
    {
        var error = GcHeapLimit.Apply(Setting(value));

        Assert.NotNull(error);
        Assert.Contains("Memory:GcHeapLimit", error, StringComparison.Ordinal);
        Assert.Contains(value, error, StringComparison.Ordinal);
        Assert.Contains("128 MiB", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ZeroOrUnset_LeavesTheRuntimeLimitAlone()
    {
        var before = GcHeapLimit.RuntimeLimit();

        Assert.Null(GcHeapLimit.Apply(Setting("0")));
        Assert.Null(GcHeapLimit.Apply(new ConfigurationBuilder().Build()));
        Assert.Equal(before, GcHeapLimit.RuntimeLimit());
    }
}
