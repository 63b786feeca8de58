using System.Collections.Concurrent;
using Granary.Events;
using Granary.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.Events;

public sealed class EventBroadcasterTests
{
    private static readonly ObjectReference Web = new() { Kind = "Pod", Namespace = "shop", Name = "web", Uid = "u1", ApiVersion = "v1" };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Record_WritesTheEventInTheBackground_WithTheRecordersSource()
    {
        var sink = new RecordingSink();
        await using var broadcaster = new EventBroadcaster(sink, _time, NullLogger<EventBroadcaster>.Instance);

        broadcaster.NewRecorder(new EventSource { Component = "default-scheduler" }).Record(Web, Event.Normal, "Scheduled", "Successfully assigned shop/web to n1");
        await broadcaster.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var written = Assert.Single(sink.Written);
        Assert.Equal(("Scheduled", "default-scheduler", 1), (written.Reason, written.Source!.Component, written.Count));
        Assert.Equal(1, broadcaster.Written);
    }

    [Fact]
    public async Task Record_RepeatsQueuedTogether_AreWrittenOnceWithTheHighestCount()
    {
        var sink = new RecordingSink();
        sink.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broadcaster = new EventBroadcaster(sink, _time, NullLogger<EventBroadcaster>.Instance);
        var recorder = broadcaster.NewRecorder(new EventSource { Component = "granary-agent", Host = "n1" });

        // The first write holds the loop; the next five wait in the queue and are drained as one batch.
        recorder.Record(Web, Event.Warning, "BackOff", "Back-off restarting failed container");
        await sink.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            recorder.Record(Web, Event.Warning, "BackOff", "Back-off restarting failed container");
        }
        sink.Gate.SetResult();
        await broadcaster.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([1, 6], sink.Written.Select(e => e.Count ?? 0));
        Assert.Single(sink.Written.Select(e => e.Metadata.Name).Distinct());
        Assert.Equal(_time.GetUtcNow(), sink.Written[^1].LastTimestamp);
    }

    [Fact]
    public async Task Record_WhenTheQueueIsFull_DropsWithoutWaiting()
    {
        var sink = new RecordingSink { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var broadcaster = new EventBroadcaster(sink, _time, NullLogger<EventBroadcaster>.Instance, new EventBroadcasterOptions { QueueCapacity = 2 });
        var recorder = broadcaster.NewRecorder(new EventSource { Component = "c" });

        recorder.Record(Web, Event.Normal, "R0", "m"); // taken by the loop, which then blocks in the sink
        await sink.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 1; i <= 5; i++)
            recorder.Record(Web, Event.Normal, $"R{i}", "m"); // two fit in the queue, three are dropped at once

        Assert.Equal(3, broadcaster.Dropped);
        sink.Gate.SetResult();
        await broadcaster.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["R0", "R1", "R2"], sink.Written.Select(e => e.Reason!));
    }

    [Fact]
    public async Task Record_WhenTheSinkFails_RetriesThenDropsAndNeverThrows()
    {
        var sink = new RecordingSink { Failures = 5 };
        var options = new EventBroadcasterOptions { Attempts = 2, RetryDelay = TimeSpan.Zero };
        await using var broadcaster = new EventBroadcaster(sink, _time, NullLogger<EventBroadcaster>.Instance, options);
        var recorder = broadcaster.NewRecorder(new EventSource { Component = "c" });

        recorder.Record(Web, Event.Normal, "Lost", "m");
        await broadcaster.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, sink.Calls);
        Assert.Equal(1, broadcaster.Dropped);
        Assert.Empty(sink.Written);
    }

    private sealed class RecordingSink : IEventSink
    {
        public ConcurrentQueue<Event> Queue { get; } = new();
        public List<Event> Written => [.. Queue];
        public TaskCompletionSource? Gate { get; set; }
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Failures { get; set; }
        public int Calls { get; private set; }

        public async Task WriteAsync(IReadOnlyList<Event> events, CancellationToken ct)
        {
            Calls++;
            Entered.TrySetResult();
            if (Gate is { } gate)
            {
                await gate.Task;
            }
            if (Failures-- > 0)
                throw new TimeoutException("the silo did not answer");
            foreach (var e in events)
                Queue.Enqueue(e);
        }
    }
}
