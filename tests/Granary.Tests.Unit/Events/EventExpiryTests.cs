using Granary.Grains.Events;
using Granary.Model;
using Granary.Silo;

namespace Granary.Tests.Unit.Events;

public sealed class EventExpiryTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("1h", 3600)]
    [InlineData("90s", 90)]
    [InlineData("1h30m", 5400)]
    [InlineData("2m30s", 150)]
    [InlineData("00:05:00", 300)]
    public void DurationSetting_TakesKubeApiserversFlagFormAndTimeSpans(string text, int seconds)
    {
        Assert.True(DurationSetting.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("an hour")]
    [InlineData("1d")]
    public void DurationSetting_RefusesOtherText(string text) => Assert.False(DurationSetting.TryParse(text, out _));

    [Theory]
    [InlineData(3600, 60)]
    [InlineData(120, 30)]
    [InlineData(2, 1)]
    public void SweepPeriod_IsAQuarterOfTheTtl_BetweenASecondAndAMinute(int ttlSeconds, int periodSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(periodSeconds), new EventOptions { Ttl = TimeSpan.FromSeconds(ttlSeconds) }.SweepPeriod);

    [Fact]
    public void LastWritten_IsTheNewestOfCreationAndTheRecordedTimes()
    {
        var e = new Event
        {
            Metadata = new() { CreationTimestamp = T0 },
            FirstTimestamp = T0,
            LastTimestamp = T0.AddMinutes(30),
        };

        Assert.Equal(T0.AddMinutes(30), EventSweeperGrain.LastWritten(e));
        // An event created with old times (a user's kubectl create) lives from its creation, as an etcd lease would.
        Assert.Equal(T0, EventSweeperGrain.LastWritten(e with { FirstTimestamp = T0.AddDays(-2), LastTimestamp = T0.AddDays(-1) }));
        Assert.Equal(T0.AddHours(1), EventSweeperGrain.LastWritten(e with { Series = new() { Count = 2, LastObservedTime = T0.AddHours(1) } }));
    }
}
