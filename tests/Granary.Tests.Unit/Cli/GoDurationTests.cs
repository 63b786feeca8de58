using Granary.Cli.Arguments;

namespace Granary.Tests.Unit.Cli;

public class GoDurationTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("0s", 0L)]
    [InlineData("5s", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("2m", 2 * TimeSpan.TicksPerMinute)]
    [InlineData("1h", TimeSpan.TicksPerHour)]
    [InlineData("1h30m", 90 * TimeSpan.TicksPerMinute)]
    [InlineData("2h45m30s", (165 * TimeSpan.TicksPerMinute) + (30 * TimeSpan.TicksPerSecond))]
    [InlineData("1.5h", 90 * TimeSpan.TicksPerMinute)]
    [InlineData(".5s", 500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1.s", TimeSpan.TicksPerSecond)]
    [InlineData("300ms", 300 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1us", 10L)]
    [InlineData("1\u00b5s", 10L)]
    [InlineData("1\u03bcs", 10L)]
    [InlineData("100ns", 1L)]
    [InlineData("150ns", 1L)]
    [InlineData("1m0s", TimeSpan.TicksPerMinute)]
    [InlineData("+5s", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("-1m30s", -90 * TimeSpan.TicksPerSecond)]
    public void Parse_GoDuration_IsReadToTheTick(string text, long ticks)
    {
        Assert.Equal(TimeSpan.FromTicks(ticks), GoDuration.Parse(text));
    }

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("-", "time: invalid duration \"-\"")]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("1h5", "time: missing unit in duration \"1h5\"")]
    [InlineData("1..5s", "time: missing unit in duration \"1..5s\"")]
    [InlineData("5d", "time: unknown unit \"d\" in duration \"5d\"")]
    [InlineData("5 s", "time: unknown unit \" s\" in duration \"5 s\"")]
    [InlineData("1H", "time: unknown unit \"H\" in duration \"1H\"")]
    [InlineData("s", "time: invalid duration \"s\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("1h-5m", "time: unknown unit \"h-\" in duration \"1h-5m\"")]
    [InlineData("1h.m", "time: invalid duration \"1h.m\"")]
    [InlineData("abc", "time: invalid duration \"abc\"")]
    [InlineData("3000000h", "time: invalid duration \"3000000h\"")]
    public void Parse_NotAGoDuration_FailsWithGosMessage(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => GoDuration.Parse(text));

        Assert.Equal(expected, e.Message);
    }
}
