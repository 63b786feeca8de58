using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.Workloads;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.GarbageCollection;

/// <summary>
/// The cluster's garbage collector (key 0). Each sweep takes every kind from the silo's watch cache, plans with
/// <see cref="GarbageCollectionPlanner"/> and acts. It sweeps when woken (owners deleted or created) and every few seconds,
/// and a reminder brings it back after a failover, so dependents left behind by a crash are collected all the same.
/// </summary>
[KeepAlive]
public sealed partial class GarbageCollectorGrain(WatchCache cache, ILogger<GarbageCollectorGrain> logger) : Grain, IGarbageCollectorGrain, IRemindable
{
    private const string ResyncReminder = "resync";
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WakeDelay = TimeSpan.FromMilliseconds(50);
    private IGrainTimer? _timer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _timer = this.RegisterGrainTimer(SweepOnTimerAsync, new GrainTimerCreationOptions(WakeDelay, SweepPeriod));
        await this.RegisterOrUpdateReminder(ResyncReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), cancellationToken);
    }

    public Task WakeAsync()
    {
        _timer?.Change(WakeDelay, SweepPeriod);
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => WakeAsync();

    public Task<int> SweepAsync() => SweepOnceAsync();

    private async Task SweepOnTimerAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SweepOnceAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSweepFailed(logger, e);
        }
    }

    private async Task<int> SweepOnceAsync()
    {
        // Dependents first, then a consistent read of every kind: an owner written before its dependents is always seen.
        var objects = new Dictionary<ResourceKind, IReadOnlyList<IResource>>();
        foreach (var kind in ResourceKinds.All)
            objects[kind] = [.. (await cache.ConsistentAsync(kind)).Snapshot(ObjectFilter.Everything).Items.Select(i => i.Value)];
        var steps = GarbageCollectionPlanner.Plan(objects);
        var done = 0;
        foreach (var step in steps)
        {
            try
            {
                if (await ApplyAsync(step))
                    done++;
            }
            catch (GranaryException e) when (e is NotFoundException or ConflictException)
            {
                // Changed or gone meanwhile: the next sweep decides again.
            }
        }
        return done;
    }

    private async Task<bool> ApplyAsync(CollectionStep step)
    {
        var meta = step.Object.Metadata;
        var key = step.Kind.KeyOf(meta.Namespace, meta.Name!);
        switch (step.Action)
        {
            case CollectionAction.Delete:
                if (await AnyOwnerExistsAsync(meta))
                    return false;
                await ResourceGrains.DeleteAsync(GrainFactory, step.Kind, key,
                    new DeleteOptions { PreconditionUid = meta.Uid, PropagationPolicy = PropagationPolicies.Background });
                LogCollected(logger, step.Kind.Singular, key);
                return true;
            case CollectionAction.DeleteForeground:
                await ResourceGrains.DeleteAsync(GrainFactory, step.Kind, key,
                    new DeleteOptions { PreconditionUid = meta.Uid, PropagationPolicy = PropagationPolicies.Foreground });
                return true;
            case CollectionAction.Orphan:
                var dependent = await ResourceGrains.GetAsync(GrainFactory, step.Kind, key);
                await ResourceGrains.UpdateAsync(GrainFactory, step.Kind, key,
                    dependent.WithMetadata(OwnerReferences.Release(dependent.Metadata, step.OwnerUid!)));
                LogOrphaned(logger, step.Kind.Singular, key);
                return true;
            default:
                var owner = await ResourceGrains.GetAsync(GrainFactory, step.Kind, key);
                if (owner.Metadata.Uid != meta.Uid)
                    return false;
                await ResourceGrains.UpdateAsync(GrainFactory, step.Kind, key,
                    owner.WithMetadata(owner.Metadata with { Finalizers = owner.Metadata.Finalizers?.Remove(step.Finalizer!) }));
                return true;
        }
    }

    /// <summary>Asks each owner's grain, the authority, whether it still exists with the referenced uid.</summary>
    private async Task<bool> AnyOwnerExistsAsync(ObjectMeta meta)
    {
        foreach (var r in meta.OwnerReferences ?? [])
        {
            var kind = ResourceKinds.All.FirstOrDefault(k => k.Kind == r.Kind && k.ApiVersion == r.ApiVersion);
            if (kind is null)
                return true;
            try
            {
                var owner = await ResourceGrains.GetAsync(GrainFactory, kind, kind.KeyOf(meta.Namespace, r.Name));
                if (owner.Metadata.Uid == r.Uid)
                    return true;
            }
            catch (NotFoundException)
            {
                // This owner is gone.
            }
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Garbage collector deleted {Kind} {Key}: its owner is gone")]
    private static partial void LogCollected(ILogger logger, string kind, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Garbage collector orphaned {Kind} {Key}: its owner was deleted with propagationPolicy Orphan")]
    private static partial void LogOrphaned(ILogger logger, string kind, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Garbage collection sweep failed; the next sweep retries")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
