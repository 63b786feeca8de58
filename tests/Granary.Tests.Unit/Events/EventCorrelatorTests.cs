using Granary.Events;
using Granary.Model;

namespace Granary.Tests.Unit.Events;

public sealed class EventCorrelatorTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, 250, TimeSpan.Zero);
    private static readonly EventSource Agent = new() { Component = "granary-agent", Host = "n1" };
    private static readonly ObjectReference Web = new() { Kind = "Pod", Namespace = "shop", Name = "web", Uid = "u1", ApiVersion = "v1", FieldPath = "spec.containers{main}" };

    [Fact]
    public void Correlate_FirstOccurrence_IsNamedAfterTheObjectAndItsTimeInHexNanoseconds()
    {
        var e = new EventCorrelator(TimeSpan.FromMinutes(10)).Correlate(Agent, Web, Event.Normal, "Started", "Started container main", T0);

        var nanos = (T0 - DateTimeOffset.UnixEpoch).Ticks * 100;
        Assert.Equal($"web.{nanos:x16}", e.Metadata.Name);
        Assert.Matches("^web\\.[0-9a-f]{16}$", e.Metadata.Name);
        Assert.Equal("shop", e.Metadata.Namespace);
        Assert.Equal(1, e.Count);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), e.FirstTimestamp);
        Assert.Equal(e.FirstTimestamp, e.LastTimestamp);
        Assert.Equal(Web, e.InvolvedObject);
        Assert.Equal(Agent, e.Source);
        Assert.Equal(("granary-agent", "n1"), (e.ReportingComponent, e.ReportingInstance));
    }

    [Fact]
    public void Correlate_IdenticalWithinTheWindow_RaisesTheCountOfTheSameEvent()
    {
        var correlator = new EventCorrelator(TimeSpan.FromMinutes(10));
        var first = correlator.Correlate(Agent, Web, Event.Warning, "BackOff", "Back-off restarting", T0);

        var second = correlator.Correlate(Agent, Web, Event.Warning, "BackOff", "Back-off restarting", T0.AddMinutes(3));
        var third = correlator.Correlate(Agent, Web with { ResourceVersion = "9" }, Event.Warning, "BackOff", "Back-off restarting", T0.AddMinutes(12));

        Assert.Equal(first.Metadata.Name, second.Metadata.Name);
        Assert.Equal(first.Metadata.Name, third.Metadata.Name);
        Assert.Equal((2, 3), (second.Count, third.Count));
        Assert.Equal(first.FirstTimestamp, third.FirstTimestamp);
        Assert.Equal(T0.AddMinutes(12).AddMilliseconds(-250), third.LastTimestamp);
    }

    [Fact]
    public void Correlate_AfterTheWindow_StartsANewEvent()
    {
        var correlator = new EventCorrelator(TimeSpan.FromMinutes(10));
        var first = correlator.Correlate(Agent, Web, Event.Normal, "Pulled", "already present", T0);

        var later = correlator.Correlate(Agent, Web, Event.Normal, "Pulled", "already present", T0.AddMinutes(10).AddSeconds(1));

        Assert.NotEqual(first.Metadata.Name, later.Metadata.Name);
        Assert.Equal(1, later.Count);
    }

    [Theory]
    [InlineData("message")]
    [InlineData("reason")]
    [InlineData("type")]
    [InlineData("fieldPath")]
    [InlineData("uid")]
    [InlineData("host")]
    public void Correlate_AnyDifference_IsANewEvent(string differs)
    {
        var correlator = new EventCorrelator(TimeSpan.FromMinutes(10));
        var first = correlator.Correlate(Agent, Web, Event.Normal, "Started", "Started container main", T0);

        var other = differs switch
        {
            "message" => correlator.Correlate(Agent, Web, Event.Normal, "Started", "Started container side", T0),
            "reason" => correlator.Correlate(Agent, Web, Event.Normal, "Created", "Started container main", T0),
            "type" => correlator.Correlate(Agent, Web, Event.Warning, "Started", "Started container main", T0),
            "fieldPath" => correlator.Correlate(Agent, Web with { FieldPath = "spec.containers{side}" }, Event.Normal, "Started", "Started container main", T0),
            "uid" => correlator.Correlate(Agent, Web with { Uid = "u2" }, Event.Normal, "Started", "Started container main", T0),
            _ => correlator.Correlate(Agent with { Host = "n2" }, Web, Event.Normal, "Started", "Started container main", T0),
        };

        // Same instant, different event: the names still differ, so one never overwrites the other.
        Assert.NotEqual(first.Metadata.Name, other.Metadata.Name);
        Assert.Equal(1, other.Count);
    }

    [Fact]
    public void Correlate_BeyondCapacity_ForgetsTheLeastRecentlySeen()
    {
        var correlator = new EventCorrelator(TimeSpan.FromMinutes(10), capacity: 2);
        var a = correlator.Correlate(Agent, Web, Event.Normal, "A", "a", T0);
        correlator.Correlate(Agent, Web, Event.Normal, "B", "b", T0);
        correlator.Correlate(Agent, Web, Event.Normal, "A", "a", T0.AddSeconds(1)); // A is now the most recent
        correlator.Correlate(Agent, Web, Event.Normal, "C", "c", T0.AddSeconds(2)); // B goes

        var againA = correlator.Correlate(Agent, Web, Event.Normal, "A", "a", T0.AddSeconds(3));
        var againB = correlator.Correlate(Agent, Web, Event.Normal, "B", "b", T0.AddSeconds(3));

        Assert.Equal((a.Metadata.Name, 3), (againA.Metadata.Name, againA.Count));
        Assert.Equal(1, againB.Count);
    }

    [Fact]
    public void Correlate_ClusterScopedObject_LivesInDefault()
    {
        var node = new ObjectReference { Kind = "Node", Name = "n1", Uid = "n1-uid", ApiVersion = "v1" };

        var e = new EventCorrelator(TimeSpan.FromMinutes(10)).Correlate(new EventSource { Component = "node-controller" }, node, Event.Normal, "NodeReady", "ready", T0);

        Assert.Equal("default", e.Metadata.Namespace);
        Assert.StartsWith("n1.", e.Metadata.Name, StringComparison.Ordinal);
    }
}

public sealed class EventCorrelatorAggregationTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly EventSource Scheduler = new() { Component = "default-scheduler" };
    private static readonly ObjectReference Web = new() { Kind = "Pod", Namespace = "shop", Name = "web", Uid = "u1", ApiVersion = "v1" };

    [Fact]
    public void Correlate_TenthDifferentMessageOfOneReason_IsCombinedIntoOneEventWhoseCountRises()
    {
        var correlator = new EventCorrelator(TimeSpan.FromMinutes(10));
        var separate = Enumerable.Range(1, EventCorrelator.MaxSimilar - 1)
            .Select(i => correlator.Correlate(Scheduler, Web, Event.Warning, "FailedScheduling", $"0/{i} nodes are available", T0.AddSeconds(i)))
            .ToList();

        var tenth = correlator.Correlate(Scheduler, Web, Event.Warning, "FailedScheduling", "0/10 nodes are available", T0.AddSeconds(10));
        var eleventh = correlator.Correlate(Scheduler, Web, Event.Warning, "FailedScheduling", "0/11 nodes are available", T0.AddSeconds(11));

        Assert.Equal(EventCorrelator.MaxSimilar - 1, separate.Select(e => e.Metadata.Name).Distinct().Count());
        Assert.All(separate, e => Assert.DoesNotContain("combined", e.Message, StringComparison.Ordinal));
        Assert.Equal("(combined from similar events): 0/10 nodes are available", tenth.Message);
        Assert.Equal("(combined from similar events): 0/11 nodes are available", eleventh.Message);
        Assert.Equal(tenth.Metadata.Name, eleventh.Metadata.Name);
        Assert.Equal((1, 2), (tenth.Count, eleventh.Count));
    }

    [Fact]
    public void Correlate_SimilarMessagesOutsideTheWindow_StartOver()
    {
        var correlator = new EventCorrelator(TimeSpan.FromMinutes(10));
        for (var i = 0; i < EventCorrelator.MaxSimilar - 1; i++)
            correlator.Correlate(Scheduler, Web, Event.Warning, "FailedScheduling", $"message {i}", T0);

        var later = correlator.Correlate(Scheduler, Web, Event.Warning, "FailedScheduling", "message 10", T0.AddMinutes(11));

        Assert.Equal("message 10", later.Message);
    }
}
