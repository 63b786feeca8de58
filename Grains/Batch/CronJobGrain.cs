using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Workloads;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Batch;

/// <summary>
/// Owns one CronJob (key "namespace/name") and is its controller. Each pass re-reads its Jobs, lets
/// <see cref="CronJobPlanner"/> decide and returns the next scheduled time: the base class's one-shot grain timer fires
/// then (to the second), and its resync reminder, kept while a next time exists, reactivates the grain within a
/// minute after a silo failover, when the planner catches up on the most recent missed time as kube does.
/// </summary>
public sealed partial class CronJobGrain(IObjectStore store, TimeProvider time, ILogger<CronJobGrain> logger, WatchCache cache, EventBroadcaster events)
    : ControllerGrain<CronJob>(store, time, logger), ICronJobGrain
{
    /// <summary>A far next time is looked at again after this long anyway (grain timers are not for days).</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = "cronjob-controller" });

    protected override ImmutableList<FieldError> Validate(CronJob resource) => CronJobValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(CronJob old, CronJob updated) => CronJobValidation.ValidateUpdate(old, updated);

    protected override CronJob ApplyDefaults(CronJob resource) => CronJobDefaults.Apply(resource);

    protected override CronJob PrepareCreate(CronJob resource) => resource with { Status = new CronJobStatus() };

    protected override CronJob WithSpec(CronJob existing, CronJob desired) => existing with { Spec = desired.Spec };

    protected override CronJob WithStatus(CronJob existing, CronJob desired) => existing with { Status = desired.Status };

    protected override bool OwnsDependents => true;

    public Task JobChangedAsync() => ReconcileSoonAsync();

    protected override async Task<DateTimeOffset?> ReconcileAsync()
    {
        if (Current is not { } cj)
            return null;
        var now = Time.GetUtcNow();
        var jobs = (await cache.ConsistentAsync(ResourceKinds.Job)).OwnedBy(cj.Metadata.Uid!).Cast<Job>()
            .Where(j => OwnerReferences.IsControlledBy(j.Metadata, cj.Metadata.Uid)).ToList();
        var sync = CronJobPlanner.Plan(cj, jobs, now);

        var status = sync.Status;
        foreach (var job in sync.ToDelete)
            await DeleteJobAsync(cj, job);
        if (sync is { ToCreate: { } wanted, ScheduledTime: { } scheduled } && await CreateJobAsync(cj, wanted) is { } created)
            status = CronJobPlanner.WithCreated(status, created, scheduled);
        foreach (var e in sync.Events)
            _events.Record(cj, e.Type, e.Reason, e.Message);
        if (Current is { } latest)
            await WriteUpdateAsync(latest, latest with { Status = status });

        if (sync.RecheckAt is not { } next)
            return null;
        return next - now > LongestWait ? now + LongestWait : next;
    }

    private async Task<Job?> CreateJobAsync(CronJob cj, Job job)
    {
        try
        {
            var created = await GrainFactory.GetGrain<IJobGrain>($"{NamespaceName}/{job.Metadata.Name}").CreateAsync(job);
            _events.Record(cj, Event.Normal, "SuccessfulCreate", $"Created job {job.Metadata.Name}");
            LogCreated(Logger, Key, job.Metadata.Name!);
            return created;
        }
        catch (AlreadyExistsException)
        {
            // Someone else made a Job of that name; the next pass sees it if it is ours.
            LogExists(Logger, Key, job.Metadata.Name!);
            return null;
        }
        catch (GranaryException e) when (e is not ConflictException)
        {
            _events.Record(cj, Event.Warning, "FailedCreate", $"Error creating job: {e.Message}");
            LogCreateFailed(Logger, Key, e.Message);
            return null;
        }
    }

    private async Task DeleteJobAsync(CronJob cj, Job job)
    {
        try
        {
            await GrainFactory.GetGrain<IJobGrain>($"{NamespaceName}/{job.Metadata.Name}")
                .DeleteAsync(new DeleteOptions { PropagationPolicy = PropagationPolicies.Background, PreconditionUid = job.Metadata.Uid });
            _events.Record(cj, Event.Normal, "SuccessfulDelete", $"Deleted job {job.Metadata.Name}");
        }
        catch (GranaryException e) when (e is NotFoundException or ConflictException)
        {
            // Gone already.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CronJob {Key} created job {Job}")]
    private static partial void LogCreated(ILogger logger, string key, string job);

    [LoggerMessage(Level = LogLevel.Information, Message = "CronJob {Key}: job {Job} exists already")]
    private static partial void LogExists(ILogger logger, string key, string job);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CronJob {Key} could not create its job: {Reason}")]
    private static partial void LogCreateFailed(ILogger logger, string key, string reason);
}
