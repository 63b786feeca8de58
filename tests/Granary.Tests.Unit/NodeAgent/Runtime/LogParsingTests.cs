using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Process;

namespace Granary.Tests.Unit.NodeAgent.Runtime;

/// <summary>Timestamps and lines as both drivers read them back.</summary>
public sealed class LogParsingTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 11, 26, 22, 17, 35, TimeSpan.Zero).AddTicks(1234567);

    [Theory]
    [InlineData("2026-11-26T22:17:35.123456789Z")] // Docker: nine digits, the last two dropped
    [InlineData("2026-11-26T22:17:35.1234567Z")]
    [InlineData("2026-11-26T23:17:35.1234567+01:00")]
    public void TryParse_TakesRfc3339WithAnyFraction(string text)
    {
        Assert.True(LogTimestamp.TryParse(text, out var time));
        Assert.Equal(At, time);
    }

    [Fact]
    public void TryParse_WithoutFraction_AndGarbage()
    {
        Assert.True(LogTimestamp.TryParse("2026-11-26T22:17:35Z", out var whole));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 22, 17, 35, TimeSpan.Zero), whole);
        Assert.False(LogTimestamp.TryParse("hello", out _));
    }

    [Fact]
    public void FormatThenTrySplit_RoundTrips()
    {
        Assert.True(LogTimestamp.TrySplit(LogTimestamp.Format(At) + " some text ", out var time, out var rest));
        Assert.Equal((At, "some text "), (time, rest));
        Assert.False(LogTimestamp.TrySplit("no time here", out _, out var same));
        Assert.Equal("no time here", same);
    }

    [Fact]
    public void LineBuffer_KeepsAPartialLineUntilItsNewline_AndFlushesTheRest()
    {
        var buffer = new LineBuffer();

        var first = buffer.Append("ab"u8);
        var second = buffer.Append("c\nd"u8);
        var third = buffer.Append("\n\ntail"u8);

        Assert.Empty(first);
        Assert.Equal(["abc"], second);
        Assert.Equal(["d", ""], third);
        Assert.Equal("tail", buffer.Flush());
        Assert.Null(buffer.Flush());
    }

    [Fact]
    public void LineBuffer_CutsAnEndlessLine()
    {
        var buffer = new LineBuffer();

        var lines = buffer.Append(new byte[LineBuffer.MaxLineBytes + 10].Select(_ => (byte)'x').ToArray());

        Assert.Equal([LineBuffer.MaxLineBytes], lines.Select(l => l.Length));
        Assert.Equal(10, buffer.Flush()!.Length);
    }

    [Theory]
    [InlineData("2026-11-26T22:17:35.1234567Z stdout F hello world", LogStream.Stdout, "hello world")]
    [InlineData("2026-11-26T22:17:35.1234567Z stderr F ", LogStream.Stderr, "")]
    public void ProcessLogLine_ParsesTheCriFormat(string raw, LogStream stream, string text)
    {
        Assert.Equal(new LogLine(At, stream, text), ProcessLogFile.Parse(raw));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("2026-11-26T22:17:35.1234567Z stdin F x")]
    [InlineData("2026-11-26T22:17:35.1234567Z stdout")]
    public void ProcessLogLine_RejectsWhatIsNotALogLine(string raw)
    {
        Assert.Null(ProcessLogFile.Parse(raw));
    }
}
