using Granary.Printing;

namespace Granary.Tests.Unit.Cli;

public class HumanDurationTests
{
    // The cases of kubectl's duration_test.go, then each boundary of its rules.
    [Theory]
    [InlineData(1, "1s")]
    [InlineData(70, "70s")]
    [InlineData(190, "3m10s")]
    [InlineData(70 * 60, "70m")]
    [InlineData(47 * 3600, "47h")]
    [InlineData(49 * 3600, "2d1h")]
    [InlineData((8 * 24 + 2) * 3600, "8d")]
    [InlineData(367 * 24 * 3600, "367d")]
    [InlineData((365 * 2 * 24 + 25) * 3600L, "2y1d")]
    [InlineData((365 * 8 * 24 + 2) * 3600L, "8y")]
    [InlineData(0, "0s")]
    [InlineData(-1, "0s")]
    [InlineData(-2, "<invalid>")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(125, "2m5s")]
    [InlineData(599, "9m59s")]
    [InlineData(600, "10m")]
    [InlineData(179 * 60 + 59, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 3600 + 4 * 60 + 59, "3h4m")]
    [InlineData(8 * 3600 - 1, "7h59m")]
    [InlineData(8 * 3600, "8h")]
    [InlineData(48 * 3600, "2d")]
    [InlineData(8 * 24 * 3600 - 1, "7d23h")]
    [InlineData(365 * 2 * 24 * 3600L, "2y")]
    [InlineData(20 * 365 * 24 * 3600L, "20y")]
    public void Format_Seconds_MatchesKubectl(long seconds, string expected)
    {
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Format_FractionOfASecond_IsTruncated()
    {
        Assert.Equal("1s", HumanDuration.Format(TimeSpan.FromMilliseconds(1999)));
    }

    [Fact]
    public void Since_NoTimestamp_IsUnknown()
    {
        Assert.Equal("<unknown>", HumanDuration.Since(null, DateTimeOffset.UnixEpoch));
    }
}
