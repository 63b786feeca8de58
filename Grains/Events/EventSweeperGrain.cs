using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Events;

/// <summary>
/// Deletes events whose last write is older than the TTL, as etcd's leases do for kube-apiserver. Level-triggered:
/// every sweep reads all events from this silo's watch cache (a consistent read) and deletes the expired ones at the
/// version it saw, so an event bumped meanwhile is kept. A grain timer sweeps every <see cref="EventOptions.SweepPeriod"/>;
/// a reminder reactivates the sweeper on another silo after a failover. Another timer compares the number and bytes of
/// events with <see cref="EventOptions.MaxCount"/> and <see cref="EventOptions.MaxBytes"/> every
/// <see cref="EventOptions.LimitCheckPeriod"/> (the cache keeps both totals, so the check costs nothing) and, past a
/// cap, deletes the least recently written events until it is back under the low-water mark.
/// </summary>
[KeepAlive]
public sealed partial class EventSweeperGrain(WatchCache cache, TimeProvider time, IOptions<EventOptions> options, ILogger<EventSweeperGrain> logger)
    : Grain, IEventSweeperGrain, IRemindable
{
    private const string Reminder = "event-sweep";
    private const int Parallelism = 16;
    private readonly EventOptions _options = options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(SweepOnTimerAsync, new GrainTimerCreationOptions(_options.SweepPeriod, _options.SweepPeriod));
        this.RegisterGrainTimer(PruneOnTimerAsync, new GrainTimerCreationOptions(_options.LimitCheckPeriod, _options.LimitCheckPeriod));
        await this.RegisterOrUpdateReminder(Reminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), cancellationToken);
        LogActive(logger, _options.Ttl, RuntimeIdentity);
    }

    public Task StartAsync() => Task.CompletedTask;

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public async Task<int> SweepAsync()
    {
        var now = time.GetUtcNow();
        var (_, items) = (await cache.ConsistentAsync(ResourceKinds.Event)).Snapshot(ObjectFilter.Everything);
        var expired = items.Select(i => (Event)i.Value).Where(e => LastWritten(e) + _options.Ttl <= now).ToList();
        var deleted = await DeleteAsync(expired);
        if (deleted > 0)
            LogSwept(logger, deleted, _options.Ttl);
        return deleted + await PruneAsync();
    }

    /// <summary>When events pass a cap, deletes the least recently written until both are under the low-water mark.</summary>
    private async Task<int> PruneAsync()
    {
        var events = cache.For(ResourceKinds.Event);
        var size = events.Size;
        if (size.Objects <= _options.MaxCount && size.ObjectBytes <= _options.MaxBytes)
            return 0;
        var (_, items) = events.Snapshot(ObjectFilter.Everything);
        var victims = EventPruning.Plan(
            items.Select(i => new EventPruning.Kept(i.Key, (Event)i.Value, events.StoredBytes(i.Key))).ToList(),
            (int)(_options.MaxCount * EventOptions.LowWaterMark), (long)(_options.MaxBytes * EventOptions.LowWaterMark));
        var deleted = await DeleteAsync(victims);
        LogPruned(logger, deleted, size.Objects, size.ObjectBytes, _options.MaxCount, _options.MaxBytes);
        return deleted;
    }

    private async Task<int> DeleteAsync(IReadOnlyList<Event> victims)
    {
        var deleted = 0;
        await Parallel.ForEachAsync(victims, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, TaskScheduler = TaskScheduler.Current }, async (e, _) =>
        {
            try
            {
                await GrainFactory.GetGrain<IEventGrain>($"{e.Metadata.Namespace}/{e.Metadata.Name}")
                    .DeleteAsync(new DeleteOptions { PreconditionResourceVersion = e.Metadata.ResourceVersion });
                Interlocked.Increment(ref deleted);
            }
            catch (GranaryException gone) when (gone is NotFoundException or ConflictException)
            {
                // Gone already, or written again since the snapshot (no longer expired, or recent again): nothing to do.
            }
        });
        return deleted;
    }

    private async Task PruneOnTimerAsync(CancellationToken ct)
    {
        try
        {
            await PruneAsync();
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or GranaryException)
        {
            // The next tick tries again.
            LogSweepFailed(logger, e.Message);
        }
    }

    /// <summary>
    /// When the event was last written, as well as the object shows it: the newest of its creation (server time) and
    /// the times its recorder stamped on repeats.
    /// </summary>
    public static DateTimeOffset LastWritten(Event e) =>
        new[] { e.Metadata.CreationTimestamp, e.LastTimestamp, e.Series?.LastObservedTime, e.EventTime }
            .Where(t => t is not null).Select(t => t!.Value).DefaultIfEmpty(DateTimeOffset.MinValue).Max();

    private async Task SweepOnTimerAsync(CancellationToken ct)
    {
        try
        {
            await SweepAsync();
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or GranaryException)
        {
            // The next tick tries again.
            LogSweepFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event sweeper active on {Silo}: events live {Ttl}")]
    private static partial void LogActive(ILogger logger, TimeSpan ttl, string silo);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} events older than {Ttl}")]
    private static partial void LogSwept(ILogger logger, int count, TimeSpan ttl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the {Deleted} least recently written events: {Count} events of {Bytes} bytes passed the cap of {MaxCount} events or {MaxBytes} bytes (Events:MaxCount, Events:MaxBytes)")]
    private static partial void LogPruned(ILogger logger, int deleted, int count, long bytes, int maxCount, long maxBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event sweep failed: {Reason}; trying again on the next tick")]
    private static partial void LogSweepFailed(ILogger logger, string reason);
}
