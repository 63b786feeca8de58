using Granary.Events;
using Granary.Model;

namespace Granary.Tests.Unit.Events;

public sealed class EventSpamFilterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly EventSource Scheduler = new() { Component = "default-scheduler" };
    private static readonly ObjectReference Web = new() { Kind = "Pod", Namespace = "shop", Name = "web", Uid = "u1", ApiVersion = "v1" };

    [Fact]
    public void Allows_ABurstOf25_ThenOneEveryFiveMinutes()
    {
        var filter = new EventSpamFilter();

        var allowed = Enumerable.Range(0, 30).Count(_ => filter.Allows(Scheduler, Web, Event.Warning, T0));

        Assert.Equal(25, allowed);
        Assert.False(filter.Allows(Scheduler, Web, Event.Warning, T0.AddMinutes(4)));
        Assert.True(filter.Allows(Scheduler, Web, Event.Warning, T0.AddMinutes(5)));
        Assert.False(filter.Allows(Scheduler, Web, Event.Warning, T0.AddMinutes(5)));
    }

    [Fact]
    public void Allows_OtherObjectsTypesAndSources_HaveBucketsOfTheirOwn()
    {
        var filter = new EventSpamFilter(burst: 1);
        Assert.True(filter.Allows(Scheduler, Web, Event.Warning, T0));
        Assert.False(filter.Allows(Scheduler, Web, Event.Warning, T0));

        Assert.True(filter.Allows(Scheduler, Web with { Name = "db" }, Event.Warning, T0));
        Assert.True(filter.Allows(Scheduler, Web, Event.Normal, T0));
        Assert.True(filter.Allows(new EventSource { Component = "granary-agent", Host = "n1" }, Web, Event.Warning, T0));
    }

    [Fact]
    public void Allows_BeyondCapacity_ForgetsTheLeastRecentlyReporting()
    {
        var filter = new EventSpamFilter(burst: 1, capacity: 2);
        filter.Allows(Scheduler, Web, Event.Warning, T0);
        filter.Allows(Scheduler, Web with { Name = "b" }, Event.Warning, T0);
        filter.Allows(Scheduler, Web with { Name = "c" }, Event.Warning, T0); // web's bucket is forgotten

        Assert.True(filter.Allows(Scheduler, Web, Event.Warning, T0));
        Assert.False(filter.Allows(Scheduler, Web with { Name = "c" }, Event.Warning, T0));
    }
}
