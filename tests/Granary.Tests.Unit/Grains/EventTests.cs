using System.Collections.Immutable;
using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

public sealed class EventTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private static ImmutableSortedDictionary<string, string> Pool(string pool) => Objects.Labels(("pool", pool));

    private Task<ImmutableArray<Event>> EventsOfAsync(Pod pod) =>
        EventsAsync(pod.Metadata.Namespace!, $"involvedObject.name={pod.Metadata.Name},involvedObject.namespace={pod.Metadata.Namespace},involvedObject.uid={pod.Metadata.Uid}");

    private async Task<ImmutableArray<Event>> EventsAsync(string ns, string fieldSelector) =>
        [.. (await Client.Events.ListAsync(new ListOptions { Namespace = ns, FieldSelector = fieldSelector })).Items];

    [Fact]
    public async Task Scheduler_BindingAPod_RecordsScheduled()
    {
        var pool = Unique.Name("ev-sched");
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-n", labels: Pool(pool)));
        var pod = await Client.Pods.CreateAsync(Objects.Pod("default", pool, nodeSelector: Pool(pool), schedulerName: null));

        var events = await Eventually.Until(() => EventsOfAsync(pod), e => e.Any(x => x.Reason == "Scheduled"), $"Scheduled event of pod default/{pool}");

        var scheduled = Assert.Single(events);
        Assert.Equal(("Normal", $"Successfully assigned default/{pool} to {pool}-n", "default-scheduler", 1),
            (scheduled.Type, scheduled.Message, scheduled.Source?.Component, scheduled.Count));
        Assert.Equal(("Pod", "v1", pod.Metadata.Uid), (scheduled.InvolvedObject.Kind, scheduled.InvolvedObject.ApiVersion, scheduled.InvolvedObject.Uid));
        Assert.StartsWith($"{pool}.", scheduled.Metadata.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scheduler_PodThatFitsNowhere_RecordsFailedSchedulingOnceWithTheConditionsMessage()
    {
        var pool = Unique.Name("ev-nofit");
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-n", cpu: "1", labels: Pool(pool)));
        var pod = await Client.Pods.CreateAsync(Objects.Pod("default", pool, cpu: "2", nodeSelector: Pool(pool), schedulerName: null));

        var events = await Eventually.Until(() => EventsOfAsync(pod), e => e.Any(x => x.Reason == "FailedScheduling"), $"FailedScheduling event of pod default/{pool}");
        // More passes with nothing changed report nothing new.
        var scheduler = Client.Grains.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);
        for (var i = 0; i < 2; i++)
        {
            var stats = await scheduler.GetStatsAsync();
            await scheduler.WakeAsync();
            await Eventually.Until(scheduler.GetStatsAsync, s => s.Passes > stats.Passes, $"scheduling pass {i + 1} after a wake-up");
        }

        var condition = (await Client.Pods.GetAsync("default", pool)).Status!.Conditions!.Single(c => c.Type == "PodScheduled");
        var failed = Assert.Single(await EventsOfAsync(pod), e => e.Reason == "FailedScheduling");
        Assert.Equal(("Warning", condition.Message, 1), (failed.Type, failed.Message, failed.Count));
        Assert.Single(events);
    }

    [Fact]
    public async Task Record_ARepeat_RaisesCountAndLastTimestamp_AndNeverLowersTheCount()
    {
        var name = Unique.Name("ev-rec");
        var first = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var occurrence = new Event
        {
            Metadata = new() { Name = $"{name}.1826d2c3b1a0f000", Namespace = "default" },
            InvolvedObject = new() { Kind = "Pod", Namespace = "default", Name = name, Uid = "u1", ApiVersion = "v1" },
            Reason = "BackOff",
            Message = "Back-off restarting failed container",
            Type = Event.Warning,
            Source = new() { Component = "granary-agent", Host = "n1" },
            FirstTimestamp = first,
            LastTimestamp = first,
            Count = 1,
        };
        var grain = Client.Grains.GetGrain<IEventGrain>($"default/{occurrence.Metadata.Name}");

        await grain.RecordAsync(occurrence);
        var bumped = await grain.RecordAsync(occurrence with { Count = 3, LastTimestamp = first.AddMinutes(2) });
        var stale = await grain.RecordAsync(occurrence with { Count = 2, LastTimestamp = first.AddMinutes(1) });

        Assert.Equal((3, first.AddMinutes(2), first), (bumped.Count, bumped.LastTimestamp, bumped.FirstTimestamp));
        Assert.Equal((3, first.AddMinutes(2)), (stale.Count, stale.LastTimestamp));
    }

    [Fact]
    public async Task Create_EventInAnotherNamespaceThanItsObject_IsInvalid()
    {
        var name = Unique.Name("ev-bad");
        var e = new Event
        {
            Metadata = new() { Name = name, Namespace = "default" },
            InvolvedObject = new() { Kind = "Pod", Namespace = "kube-system", Name = "x" },
            Type = "Sometimes",
        };

        var error = await Assert.ThrowsAsync<InvalidException>(() => Client.Events.CreateAsync(e));

        Assert.Contains("involvedObject.namespace: Invalid value: \"kube-system\": does not match event.namespace", error.Message, StringComparison.Ordinal);
        Assert.Contains("type: Invalid value: \"\": has invalid value: Sometimes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeRecordEvents_AcceptsItsOwnPods_AndRefusesOthers()
    {
        var pool = Unique.Name("ev-node");
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-a", labels: Pool(pool)));
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-b", labels: Pool(pool)));
        var mine = await Client.Pods.CreateAsync(Objects.Pod("default", $"{pool}-mine"));
        var theirs = await Client.Pods.CreateAsync(Objects.Pod("default", $"{pool}-theirs"));
        mine = await Client.Grains.GetGrain<IPodGrain>($"default/{mine.Metadata.Name}").BindAsync($"{pool}-a", mine.Metadata.Uid!);
        theirs = await Client.Grains.GetGrain<IPodGrain>($"default/{theirs.Metadata.Name}").BindAsync($"{pool}-b", theirs.Metadata.Uid!);
        Event About(Pod pod) => new()
        {
            Metadata = new() { Name = $"{pod.Metadata.Name}.1826d2c3b1a0f000", Namespace = "default" },
            InvolvedObject = ObjectReference.To(pod, "spec.containers{main}"),
            Reason = "Started",
            Message = "Started container main",
            Type = Event.Normal,
            Source = new() { Component = "granary-agent", Host = $"{pool}-a" },
            Count = 1,
        };

        var refused = await Client.Grains.GetGrain<INodeGrain>($"{pool}-a").RecordEventsAsync([About(mine), About(theirs)]);

        var reason = Assert.Single(refused);
        Assert.Contains($"cannot report events about pod default/{pool}-theirs: it is not bound to this node", reason, StringComparison.Ordinal);
        Assert.Single(await EventsOfAsync(mine));
        Assert.Empty(await EventsOfAsync(theirs));
    }
}
