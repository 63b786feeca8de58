using System.Threading.Channels;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Granary.Retry;

namespace Granary.Events;

public sealed record EventBroadcasterOptions
{
    /// <summary>Identical events within this window are one event with a count (client-go: 10 minutes).</summary>
    public TimeSpan AggregationWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Events waiting to be written; past this, new ones are dropped (and counted) rather than slow the caller.</summary>
    public int QueueCapacity { get; init; } = 1000;

    /// <summary>Events written per sink call.</summary>
    public int MaxBatch { get; init; } = 100;

    /// <summary>Tries per batch before it is dropped and logged.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>The wait after the first failed try; it doubles (with jitter) for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Events of one type about one object a source may report at once before the spam filter drops them (client-go: 25).</summary>
    public int SpamBurst { get; init; } = EventSpamFilter.DefaultBurst;

    /// <summary>How often a source earns back one event about an object once past the burst (client-go: 5 minutes).</summary>
    public TimeSpan SpamRefillEvery { get; init; } = EventSpamFilter.DefaultRefillEvery;
}

/// <summary>
/// The one event pipeline of a process (client-go's EventBroadcaster): recorders made by <see cref="NewRecorder"/>
/// pass each occurrence through the spam filter and correlate it under a lock (cheap, in the caller) and queue the event; one background loop drains the
/// queue in batches, keeps only the newest write of each event name, and hands the batch to the <see cref="IEventSink"/>.
/// The queue is bounded and never waits: when it is full the event is dropped and counted. A failed batch is retried
/// a few times, then logged and dropped: events are best-effort, and recording them must never break the caller.
/// </summary>
public sealed partial class EventBroadcaster : IAsyncDisposable
{
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EventBroadcasterOptions _options;
    private readonly EventCorrelator _correlator;
    private readonly EventSpamFilter _spamFilter;
    private readonly Channel<Event> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _dropped;
    private long _filtered;
    private long _written;
    private long _pending;

    public EventBroadcaster(IEventSink sink, TimeProvider time, ILogger<EventBroadcaster> logger, EventBroadcasterOptions? options = null)
    {
        _sink = sink;
        _time = time;
        _logger = logger;
        _options = options ?? new EventBroadcasterOptions();
        _correlator = new EventCorrelator(_options.AggregationWindow);
        _spamFilter = new EventSpamFilter(_options.SpamBurst, _options.SpamRefillEvery);
        _queue = Channel.CreateBounded<Event>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full queue refuses at once, never blocks
            SingleReader = true,
        });
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Events dropped because the queue was full or every try to write them failed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events the spam filter dropped: a source reporting on one object faster than its burst and refill allow.</summary>
    public long Filtered => Interlocked.Read(ref _filtered);

    /// <summary>Events the sink accepted (after coalescing repeats of one event in a batch).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>A recorder that stamps its events with <paramref name="source"/> (component, and host for node components).</summary>
    public IEventRecorder NewRecorder(EventSource source) => new Recorder(this, source);

    /// <summary>Waits until every event recorded so far has been written or dropped (tests, orderly shutdown).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        while (Interlocked.Read(ref _pending) > 0)
            await Task.Delay(TimeSpan.FromMilliseconds(10), ct);
    }

    private void Record(EventSource source, ObjectReference involved, string type, string reason, string message)
    {
        try
        {
            Event e;
            lock (_correlator)
            {
                var now = _time.GetUtcNow();
                if (!_spamFilter.Allows(source, involved, type, now))
                {
                    Interlocked.Increment(ref _filtered);
                    return;
                }
                e = _correlator.Correlate(source, involved, type, reason, message, now);
            }
            Interlocked.Increment(ref _pending);
            if (!_queue.Writer.TryWrite(e))
            {
                Interlocked.Decrement(ref _pending);
                if (Interlocked.Increment(ref _dropped) % 100 == 1)
                    LogQueueFull(_logger, _options.QueueCapacity, e.InvolvedObject.Namespace ?? "", e.InvolvedObject.Name ?? "", reason);
            }
        }
        catch (ChannelClosedException)
        {
            // Shutting down: nothing more is recorded.
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var batch = new List<Event>(_options.MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatch && _queue.Reader.TryRead(out var e))
                    batch.Add(e);
                // Repeats of one event in a batch: only the newest (highest count) needs writing.
                var writes = batch.GroupBy(e => (e.Metadata.Namespace, e.Metadata.Name)).Select(g => g.Last()).ToList();
                await WriteAsync(writes, ct);
                Interlocked.Add(ref _pending, -batch.Count);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task WriteAsync(List<Event> writes, CancellationToken ct)
    {
        var backoff = new Backoff(_options.RetryDelay, _options.RetryDelay * 8);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _sink.WriteAsync(writes, ct);
                Interlocked.Add(ref _written, writes.Count);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (attempt >= _options.Attempts)
                {
                    Interlocked.Add(ref _dropped, writes.Count);
                    LogWriteFailed(_logger, writes.Count, attempt, e.Message);
                    return;
                }
                await backoff.DelayAsync(_time, ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped while writing.
        }
        _stop.Dispose();
    }

    private sealed class Recorder(EventBroadcaster broadcaster, EventSource source) : IEventRecorder
    {
        public void Record(ObjectReference involved, string type, string reason, string message) =>
            broadcaster.Record(source, involved, type, reason, message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event queue full ({Capacity}); dropping events, e.g. {Reason} for {Namespace}/{Name}")]
    private static partial void LogQueueFull(ILogger logger, int capacity, string @namespace, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} events after {Attempts} tries; dropping them: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, int count, int attempts, string reason);
}
