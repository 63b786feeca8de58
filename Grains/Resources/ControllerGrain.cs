using Granary.Grains.Storage;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Granary.Retry;

namespace Granary.Grains.Resources;

/// <summary>
/// A resource grain that is also its object's controller (ReplicaSet, Deployment, StatefulSet). Level-triggered: notifications and
/// writes only ask for a reconcile, which a one-shot grain timer runs (many requests before it fires make one pass).
/// While the object has not converged, a reminder keeps a resync alive across a silo failover, and the timer looks
/// again every few seconds, so a lost notification only delays convergence. A failed pass is retried with back-off.
/// </summary>
public abstract partial class ControllerGrain<T>(IObjectStore store, TimeProvider time, ILogger logger)
    : ResourceGrain<T>(store, time, logger), IRemindable
    where T : class, IResource<T>
{
    private const string ResyncReminder = "resync";
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>How soon an unconverged object is looked at again when nothing tells it to.</summary>
    protected static readonly TimeSpan UnconvergedResync = TimeSpan.FromSeconds(5);

    /// <summary>How long notifications are gathered before a pass, so a burst of them costs one pass.</summary>
    protected static readonly TimeSpan NotificationDelay = TimeSpan.FromMilliseconds(20);

    private IGrainTimer? _timer;
    private DateTimeOffset? _dueAt;
    private bool? _reminderRegistered;
    /// <summary>How long a failing reconcile waits before the next try: 1 s doubling to a minute, as a workqueue's rate limiter.</summary>
    private readonly Backoff _backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    /// <summary>True while a pass runs: its own writes need no further pass.</summary>
    protected bool Reconciling { get; private set; }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        // Every activation looks once: whatever happened while no activation existed is seen now.
        if (Current is not null)
            RequestReconcile(TimeSpan.Zero);
    }

    /// <summary>
    /// One pass: re-read the world, act, write status. Returns null when the object has converged, or when to look again.
    /// </summary>
    protected abstract Task<DateTimeOffset?> ReconcileAsync();

    /// <summary>
    /// Every write asks for a pass (a pass's own writes need none), and creating or deleting an object that owns
    /// dependents wakes the garbage collector. Overrides that tell others of the change call this first.
    /// </summary>
    protected override async Task AfterWriteAsync(T? before, T? after)
    {
        if (!Reconciling)
            RequestReconcile(TimeSpan.Zero);
        if (OwnsDependents && (after is null || before is null))
            await GrainFactory.GetGrain<Granary.Api.IGarbageCollectorGrain>(0).WakeAsync();
    }

    /// <summary>Something the object controls or watches changed: a pass soon, one for a burst of such news.</summary>
    protected Task ReconcileSoonAsync()
    {
        RequestReconcile(NotificationDelay);
        return Task.CompletedTask;
    }

    protected void RequestReconcile(TimeSpan delay)
    {
        var at = Time.GetUtcNow() + delay;
        if (_dueAt is { } due && due <= at)
            return;
        _dueAt = at;
        _timer ??= this.RegisterGrainTimer(RunAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        RequestReconcile(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        _dueAt = null;
        DateTimeOffset? next;
        Reconciling = true;
        try
        {
            next = await ReconcileAsync();
            _backoff.Reset();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var backoff = _backoff.Next();
            LogReconcileFailed(Logger, Kind.Singular, Key, backoff.TotalSeconds, e);
            next = Time.GetUtcNow() + backoff;
        }
        finally
        {
            Reconciling = false;
        }

        if (next is { } when)
        {
            var delay = when - Time.GetUtcNow();
            RequestReconcile(delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
        }
        await KeepReminderAsync(next is not null && Current is not null);
    }

    private async Task KeepReminderAsync(bool wanted)
    {
        if (_reminderRegistered == wanted)
            return;
        if (wanted)
        {
            await this.RegisterOrUpdateReminder(ResyncReminder, ReminderPeriod, ReminderPeriod);
        }
        else if (await this.GetReminder(ResyncReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        _reminderRegistered = wanted;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling {Kind} {Key} failed; retrying in {Seconds}s")]
    private static partial void LogReconcileFailed(ILogger logger, string kind, string key, double seconds, Exception exception);
}
