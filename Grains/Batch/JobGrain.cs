using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Events;
using Granary.Grains.Caching;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Workloads;
using Granary.Model;
using Granary.Selectors;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Batch;

/// <summary>
/// Owns one Job (key "namespace/name") and is its controller: each pass re-reads the Job's pods from the silo's watch
/// cache, lets <see cref="JobPlanner"/> decide, creates and deletes pods in bounded batches, writes the status, then
/// removes the tracking finalizer of the pods it has just listed as uncounted and plans once more so they are counted
/// in the same pass. Reads like <see cref="ReplicaSetGrain"/>.
/// </summary>
public sealed partial class JobGrain(IObjectStore store, TimeProvider time, ILogger<JobGrain> logger, WatchCache cache, EventBroadcaster events)
    : ControllerGrain<Job>(store, time, logger), IJobGrain
{
    private const int FinalizerAttempts = 3;

    /// <summary>How often a Job with running pods is looked at when nothing tells it to (a lost notification).</summary>
    private static readonly TimeSpan RunningResync = TimeSpan.FromSeconds(30);

    private readonly IEventRecorder _events = events.NewRecorder(new EventSource { Component = "job-controller" });
    private PodControl? _podControl;

    private PodControl Pods => _podControl ??= new PodControl(GrainFactory, _events);

    protected override ImmutableList<FieldError> Validate(Job resource) => JobValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(Job old, Job updated) => JobValidation.ValidateUpdate(old, updated);

    protected override Job ApplyDefaults(Job resource) => JobDefaults.Apply(resource);

    protected override Job CompleteCreate(Job resource) => JobDefaults.GenerateSelector(resource);

    // Status is the controller's: a create starts from an empty one, as in Kubernetes.
    protected override Job PrepareCreate(Job resource) => resource with { Status = new JobStatus() };

    protected override Job WithSpec(Job existing, Job desired) => existing with { Spec = desired.Spec };

    protected override Job WithStatus(Job existing, Job desired) => existing with { Status = desired.Status };

    protected override bool OwnsDependents => true;

    /// <summary>
    /// batch/v1 orphans a Job's pods when the delete names no propagation policy (kube's DefaultGarbageCollectionPolicy
    /// for batch/v1; kubectl always sends Background). Either way the pods lose the tracking finalizer first, as kube's
    /// controller does when a Job goes, so none is left stuck.
    /// </summary>
    public override async Task<Job> DeleteAsync(DeleteOptions options)
    {
        if (Current is { } job)
            await ReleaseFinalizersAsync(await OwnedPodsAsync(job));
        return await base.DeleteAsync(options.PropagationPolicy is null ? options with { PropagationPolicy = PropagationPolicies.Orphan } : options);
    }

    protected override async Task AfterWriteAsync(Job? before, Job? after)
    {
        await base.AfterWriteAsync(before, after);
        // The owning CronJob lists its active Jobs and keeps their history: every change concerns it.
        if (OwnerReferences.ControllerRef((after ?? before)!.Metadata) is { Kind: "CronJob" } owner)
            await GrainFactory.GetGrain<ICronJobGrain>($"{NamespaceName}/{owner.Name}").JobChangedAsync();
    }

    public Task PodChangedAsync() => ReconcileSoonAsync();

    protected override async Task<DateTimeOffset?> ReconcileAsync()
    {
        // A pass plans at most three times: act, count what was released, write the terminal condition.
        if (Current is null)
        {
            await ReleaseOrphansAsync();
            return null;
        }
        for (var round = 0; ; round++)
        {
            if (Current is not { Metadata.DeletionTimestamp: null } job)
                return null;
            var now = Time.GetUtcNow();
            var pods = await OwnedPodsAsync(job);
            var sync = JobPlanner.Plan(job, pods, now);

            if (sync.ToCreate.Count > 0)
                await CreatePodsAsync(job, sync.ToCreate);
            if (sync.ToDelete.Count > 0)
                await DeletePodsAsync(job, sync.ToDelete);
            if (Current is { } latest)
                await WriteUpdateAsync(latest, latest with { Status = sync.Status });
            foreach (var e in sync.Events)
                _events.Record(job, e.Type, e.Reason, e.Message);
            if (sync.Events.Count > 0)
                LogTransition(Logger, Key, string.Join(", ", sync.Events.Select(e => e.Reason)));
            var released = await ReleaseFinalizersAsync(sync.ReleaseFinalizers);

            if (sync.DeleteJob)
            {
                LogExpired(Logger, Key);
                await DeleteAsync(new DeleteOptions { PropagationPolicy = PropagationPolicies.Background, PreconditionUid = job.Metadata.Uid });
                return null;
            }
            if (released == 0 || round == 2)
            {
                if (sync.ToCreate.Count > 0 || sync.ToDelete.Count > 0)
                    return now + UnconvergedResync;
                if (sync.Status.Active is > 0 || sync.Status.Terminating is > 0)
                    return Earliest(sync.RecheckAt, now + RunningResync);
                return sync.RecheckAt;
            }
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    /// <summary>The pods whose controller reference names this Job, from the watch cache's owner index (adoption needs a manual selector; a Job makes its own pods).</summary>
    private async Task<List<Pod>> OwnedPodsAsync(Job job)
    {
        var pods = await cache.ConsistentAsync(ResourceKinds.Pod);
        return [.. pods.OwnedBy(job.Metadata.Uid!).Cast<Pod>().Where(p => OwnerReferences.IsControlledBy(p.Metadata, job.Metadata.Uid))];
    }

    private async Task CreatePodsAsync(Job job, IReadOnlyList<int?> indexes)
    {
        string? firstFailure = null;
        var created = await PodControl.SlowStartAsync(indexes, async index =>
        {
            if (await Pods.CreateAsync(job, name => JobPods.NewPod(job, name, index), JobPods.GenerateName(job, index)) is not { } error)
                return true;
            LogCreateFailed(Logger, Key, error);
            Interlocked.CompareExchange(ref firstFailure, error, null);
            return false;
        });
        if (created < indexes.Count)
            throw new InvalidOperationException($"could not create all {indexes.Count} pods for job {Key}: {firstFailure}");
        LogCreated(Logger, Key, indexes.Count);
    }

    private async Task DeletePodsAsync(Job job, IReadOnlyList<Pod> pods)
    {
        await Task.WhenAll(pods.Select(pod => Pods.DeleteAsync(job, pod)));
        LogDeleted(Logger, Key, pods.Count);
    }

    /// <summary>
    /// A pod whose Job is gone tells this grain of its changes: its tracking finalizer goes, so it is not kept forever
    /// (kube's job controller does the same for orphan pods). Found by the job-name label and the controller reference.
    /// </summary>
    private async Task ReleaseOrphansAsync()
    {
        var pods = await cache.ConsistentAsync(ResourceKinds.Pod);
        var orphans = pods.Selected(NamespaceName!, LabelSelector.Parse($"{BatchLabels.JobName}={Name}")).Cast<Pod>()
            .Where(p => JobPods.IsTracked(p) && OwnerReferences.ControllerRef(p.Metadata) is { Kind: "Job" } owner && owner.Name == Name)
            .ToList();
        if (await ReleaseFinalizersAsync(orphans) is > 0 and var released)
            LogOrphansReleased(Logger, Key, released);
    }

    /// <summary>Removes the tracking finalizer from each pod, re-reading it on a conflict; returns how many lost it.</summary>
    private async Task<int> ReleaseFinalizersAsync(IReadOnlyList<Pod> pods)
    {
        var results = await Task.WhenAll(pods.Where(JobPods.IsTracked).Select(async pod =>
        {
            var grain = GrainFactory.GetGrain<IPodGrain>($"{NamespaceName}/{pod.Metadata.Name}");
            for (var attempt = 1; attempt <= FinalizerAttempts; attempt++)
            {
                try
                {
                    if (!JobPods.IsTracked(pod))
                        return false;
                    var rest = pod.Metadata.Finalizers!.Remove(BatchLabels.TrackingFinalizer);
                    await grain.UpdateAsync(pod with { Metadata = pod.Metadata with { Finalizers = rest.Count == 0 ? null : rest } });
                    return true;
                }
                catch (ConflictException) when (attempt < FinalizerAttempts)
                {
                    pod = await grain.GetAsync();
                }
                catch (GranaryException e) when (e is NotFoundException or ConflictException)
                {
                    return false;
                }
            }
            return false;
        }));
        return results.Count(r => r);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Key} created {Count} pod(s)")]
    private static partial void LogCreated(ILogger logger, string key, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Key} deleted {Count} pod(s)")]
    private static partial void LogDeleted(ILogger logger, string key, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Key} could not create a pod: {Reason}")]
    private static partial void LogCreateFailed(ILogger logger, string key, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Key}: {Reasons}")]
    private static partial void LogTransition(ILogger logger, string key, string reasons);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Key} is gone: released {Count} pod(s) it still tracked")]
    private static partial void LogOrphansReleased(ILogger logger, string key, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Key} finished longer ago than its ttlSecondsAfterFinished: deleting it")]
    private static partial void LogExpired(ILogger logger, string key);
}
