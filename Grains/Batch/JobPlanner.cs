using System.Collections.Immutable;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Batch;

/// <summary>An event the job controller records on the Job.</summary>
public sealed record JobEvent(string Type, string Reason, string Message);

/// <summary>
/// What one Job sync does. <see cref="ToCreate"/> holds one entry per pod to create: its completion index for an
/// Indexed Job, null otherwise. <see cref="ReleaseFinalizers"/> are pods counted in <see cref="Status"/>'s
/// uncountedTerminatedPods whose tracking finalizer may now go; the next sync moves them into the counts.
/// </summary>
public sealed record JobSync(
    IReadOnlyList<int?> ToCreate,
    IReadOnlyList<Pod> ToDelete,
    IReadOnlyList<Pod> ReleaseFinalizers,
    JobStatus Status,
    IReadOnlyList<JobEvent> Events,
    DateTimeOffset? RecheckAt,
    bool DeleteJob);

/// <summary>
/// The job controller's decision (kube's syncJob with tracking by finalizers), without side effects: count the pods
/// that finished, decide whether the Job succeeded or failed (backoffLimit, activeDeadlineSeconds, podFailurePolicy,
/// per-index limits), which pods to create (with which completion index) or delete, the status and conditions, and
/// when to look again. A pod is counted exactly once: it is first listed in uncountedTerminatedPods, then its
/// finalizer is removed, then the next sync adds it to succeeded or failed.
/// </summary>
public static class JobPlanner
{
    /// <summary>At most this many pods are created or deleted in one sync, as kube's MaxPodCreateDeletePerSync.</summary>
    public const int Burst = 500;

    public const string MaxFailedIndexesExceeded = "MaxFailedIndexesExceeded";
    public const string FailedIndexes = "FailedIndexes";

    public static JobSync Plan(Job job, IReadOnlyList<Pod> pods, DateTimeOffset now)
    {
        var status = job.Status ?? new JobStatus();
        var spec = job.Spec;
        if (JobConditions.IsFinished(status))
            return Finished(job, pods, status, now);

        var indexed = spec.CompletionMode == JobSpec.Indexed;
        var completions = spec.Completions ?? 0;
        var byUid = pods.Where(p => p.Metadata.Uid is not null).ToDictionary(p => p.Metadata.Uid!);
        var events = new List<JobEvent>();

        // Pods listed as uncounted whose finalizer is gone are counted now.
        var (succeeded, failed) = (status.Succeeded ?? 0, status.Failed ?? 0);
        var uncountedSucceeded = new List<string>();
        var uncountedFailed = new List<string>();
        foreach (var uid in status.UncountedTerminatedPods?.Succeeded ?? [])
            if (byUid.TryGetValue(uid, out var pod) && JobPods.IsTracked(pod)) uncountedSucceeded.Add(uid); else succeeded++;
        foreach (var uid in status.UncountedTerminatedPods?.Failed ?? [])
            if (byUid.TryGetValue(uid, out var pod) && JobPods.IsTracked(pod)) uncountedFailed.Add(uid); else failed++;

        var completed = indexed ? IndexSet.Parse(status.CompletedIndexes, completions).ToBuilder() : ImmutableSortedSet.CreateBuilder<int>();
        var failedIndexes = indexed ? IndexSet.Parse(status.FailedIndexes, completions).ToBuilder() : ImmutableSortedSet.CreateBuilder<int>();
        var target = TargetOf(status);

        // Tracked pods that finished (or, once the Job is finishing, every tracked pod) are listed as uncounted.
        var release = new List<Pod>();
        string? failJobMessage = null;
        foreach (var pod in pods.Where(JobPods.IsTracked))
        {
            var uid = pod.Metadata.Uid ?? "";
            if (uncountedSucceeded.Contains(uid) || uncountedFailed.Contains(uid))
            {
                release.Add(pod);
                continue;
            }
            var index = JobPods.Index(pod);
            var validIndex = !indexed || index is { } i && i < completions;
            if (pod.Status?.Phase == "Succeeded")
            {
                if (validIndex && !(indexed && completed.Contains(index!.Value)))
                {
                    uncountedSucceeded.Add(uid);
                    if (indexed)
                        completed.Add(index!.Value);
                }
                release.Add(pod);
            }
            else if (IsFailed(pod, job) || target is not null)
            {
                var verdict = pod.Status?.Phase == "Failed" ? PodFailurePolicyMatch.Match(spec.PodFailurePolicy, pod) : PodFailureVerdict.Unmatched;
                if (verdict.Action == PodFailurePolicyRule.FailJob)
                    failJobMessage ??= verdict.Message;
                if (verdict.Counts && validIndex)
                    uncountedFailed.Add(uid);
                if (indexed && validIndex && (verdict.Action == PodFailurePolicyRule.FailIndex
                                              || spec.BackoffLimitPerIndex is { } perIndex && FailuresOf(pods, index!.Value) > perIndex))
                    failedIndexes.Add(index!.Value);
                release.Add(pod);
            }
        }

        var succeededTotal = succeeded + uncountedSucceeded.Count;
        var failedTotal = failed + uncountedFailed.Count;
        var active = pods.Where(JobPods.IsActive).ToList();
        var terminating = pods.Count(JobPods.IsTerminating);
        var conditions = status.Conditions;
        var startTime = status.StartTime;
        var suspended = spec.Suspend == true;
        var toCreate = new List<int?>();
        var toDelete = new List<Pod>();
        DateTimeOffset? recheck = null;

        target ??= failJobMessage is not null ? new Target(JobCondition.Failed, JobConditions.PodFailurePolicy, failJobMessage)
            : Failure(job, failedTotal, status.Failed ?? 0, active, failedIndexes.Count, completed.Count, startTime, suspended, now)
            ?? Success(job, succeededTotal, completed.ToImmutable(), active.Count);

        if (target is not null)
        {
            conditions = JobConditions.With(conditions, target.Condition == JobCondition.Failed ? JobCondition.FailureTarget : JobCondition.SuccessCriteriaMet,
                "True", target.Reason, target.Message, now);
            toDelete.AddRange(active.Take(Burst));
        }
        else
        {
            (conditions, startTime) = Suspension(conditions, startTime, suspended, now, events);
            if (suspended)
            {
                toDelete.AddRange(active.Take(Burst));
            }
            else
            {
                startTime ??= now;
                if (spec.ActiveDeadlineSeconds is { } deadline)
                    recheck = startTime.Value.AddSeconds(deadline);
                var backoffUntil = JobBackoff.NextCreateAt(pods, now);
                var (create, delete) = indexed
                    ? ManageIndexed(job, active, pods, completed.ToImmutable(), failedIndexes.ToImmutable())
                    : ManageNonIndexed(job, active, terminating, succeededTotal);
                toDelete.AddRange(delete);
                if (create.Count > 0 && backoffUntil is { } until)
                    recheck = Earliest(recheck, until);
                else
                    toCreate.AddRange(create);
            }
        }

        // The terminal condition waits until every pod has stopped and been counted, as kube 1.32 does.
        DateTimeOffset? completionTime = status.CompletionTime;
        var settled = target is not null && active.Count == 0 && terminating == 0 && release.Count == 0
                      && uncountedSucceeded.Count == 0 && uncountedFailed.Count == 0;
        if (settled)
        {
            conditions = JobConditions.With(conditions, target!.Condition, "True", target.Reason, target.Message, now);
            if (target.Condition == JobCondition.Complete)
            {
                completionTime = now;
                events.Add(new JobEvent(Event.Normal, "Completed", "Job completed"));
            }
            else
            {
                events.Add(new JobEvent(Event.Warning, target.Reason, target.Message));
            }
            if (spec.TtlSecondsAfterFinished is { } ttl)
                recheck = now.AddSeconds(ttl);
        }

        var newStatus = new JobStatus
        {
            Conditions = conditions,
            StartTime = startTime,
            CompletionTime = completionTime,
            Active = NullIfZero(active.Count - toDelete.Count + toCreate.Count),
            Ready = active.Count(PodReadiness.IsReady),
            Terminating = terminating + toDelete.Count,
            Succeeded = NullIfZero(succeeded),
            Failed = NullIfZero(failed),
            CompletedIndexes = indexed ? IndexSet.Format(completed) : null,
            FailedIndexes = spec.BackoffLimitPerIndex is not null ? IndexSet.Format(failedIndexes) ?? "" : null,
            UncountedTerminatedPods = new UncountedTerminatedPods
            {
                Succeeded = uncountedSucceeded.Count == 0 ? null : [.. uncountedSucceeded],
                Failed = uncountedFailed.Count == 0 ? null : [.. uncountedFailed],
            },
        };
        DateTimeOffset? recheckAt = recheck is { } r && r < now ? now : recheck;
        return new JobSync(toCreate, toDelete, release, newStatus, events, settled && spec.TtlSecondsAfterFinished is 0 ? null : recheckAt,
            settled && spec.TtlSecondsAfterFinished is 0);
    }

    /// <summary>Kube's isPodFailed: phase Failed, or (unless only failed pods are replaced) deleted before it succeeded.</summary>
    private static bool IsFailed(Pod pod, Job job) =>
        pod.Status?.Phase == "Failed"
        || job.Spec.PodReplacementPolicy != JobDefaults.Failed && pod.Metadata.DeletionTimestamp is not null && pod.Status?.Phase != "Succeeded";

    private static int FailuresOf(IEnumerable<Pod> pods, int index) => pods.Count(p => p.Status?.Phase == "Failed" && JobPods.Index(p) == index);

    /// <summary>A finished Job only lets go of its pods' finalizers and waits out ttlSecondsAfterFinished.</summary>
    private static JobSync Finished(Job job, IReadOnlyList<Pod> pods, JobStatus status, DateTimeOffset now)
    {
        var release = pods.Where(JobPods.IsTracked).ToList();
        DateTimeOffset? expires = null;
        if (job.Spec.TtlSecondsAfterFinished is { } ttl)
        {
            var finishedAt = status.CompletionTime
                ?? JobConditions.Find(status, JobCondition.Failed)?.LastTransitionTime
                ?? JobConditions.Find(status, JobCondition.Complete)?.LastTransitionTime ?? now;
            expires = finishedAt.AddSeconds(ttl);
        }
        var delete = expires is { } e && e <= now;
        return new JobSync([], [], release, status, [], delete ? null : expires, delete);
    }

    private sealed record Target(string Condition, string Reason, string Message);

    /// <summary>A FailureTarget or SuccessCriteriaMet condition written earlier: the Job is finishing.</summary>
    private static Target? TargetOf(JobStatus status)
    {
        if (JobConditions.Find(status, JobCondition.FailureTarget) is { Status: "True" } failure)
            return new Target(JobCondition.Failed, failure.Reason ?? "", failure.Message ?? "");
        if (JobConditions.Find(status, JobCondition.SuccessCriteriaMet) is { Status: "True" } success)
            return new Target(JobCondition.Complete, success.Reason ?? "", success.Message ?? "");
        return null;
    }

    private static Target? Failure(Job job, int failedTotal, int failedBefore, IReadOnlyList<Pod> active, int failedIndexCount, int completedCount,
        DateTimeOffset? startTime, bool suspended, DateTimeOffset now)
    {
        var spec = job.Spec;
        var limit = spec.BackoffLimit ?? JobDefaults.DefaultBackoffLimit;
        if (failedTotal > failedBefore && failedTotal > limit || PastBackoffLimitOnFailure(job, active))
            return new Target(JobCondition.Failed, JobConditions.BackoffLimitExceeded, JobConditions.BackoffLimitMessage);
        if (spec.MaxFailedIndexes is { } maxFailed && failedIndexCount > maxFailed)
            return new Target(JobCondition.Failed, MaxFailedIndexesExceeded, "Job has exceeded the specified maximal number of failed indexes");
        if (failedIndexCount > 0 && failedIndexCount + completedCount >= (spec.Completions ?? 0))
            return new Target(JobCondition.Failed, FailedIndexes, "Job has failed indexes");
        if (!suspended && startTime is { } start && spec.ActiveDeadlineSeconds is { } deadline && now >= start.AddSeconds(deadline))
            return new Target(JobCondition.Failed, JobConditions.DeadlineExceeded, JobConditions.DeadlineMessage);
        return null;
    }

    /// <summary>With restartPolicy OnFailure, container restarts of running pods count against backoffLimit (kube's pastBackoffLimitOnFailure).</summary>
    private static bool PastBackoffLimitOnFailure(Job job, IReadOnlyList<Pod> active)
    {
        if (job.Spec.Template?.Spec?.RestartPolicy != "OnFailure")
            return false;
        var restarts = active.Where(p => p.Status?.Phase is "Running" or "Pending")
            .Sum(p => (p.Status?.InitContainerStatuses ?? []).Sum(c => c.RestartCount) + (p.Status?.ContainerStatuses ?? []).Sum(c => c.RestartCount));
        var limit = job.Spec.BackoffLimit ?? JobDefaults.DefaultBackoffLimit;
        return limit == 0 ? restarts > 0 : restarts >= limit;
    }

    private static Target? Success(Job job, int succeededTotal, ImmutableSortedSet<int> completed, int activeCount)
    {
        var spec = job.Spec;
        if (spec.CompletionMode == JobSpec.Indexed && spec.SuccessPolicy is { } policy && MatchingRule(policy, completed, spec.Completions ?? 0) is { } rule)
            return new Target(JobCondition.Complete, SuccessPolicyReason, $"Matched rules at index {rule}");
        var done = spec.CompletionMode == JobSpec.Indexed ? completed.Count >= (spec.Completions ?? 0)
            : spec.Completions is { } completions ? succeededTotal >= completions
            : succeededTotal > 0 && activeCount == 0;
        return done ? new Target(JobCondition.Complete, JobConditions.CompletionsReached, JobConditions.CompletionsMessage) : null;
    }

    public const string SuccessPolicyReason = "SuccessPolicy";

    /// <summary>
    /// The first successPolicy rule the completed indexes meet (kube's matchSuccessPolicy): of its succeededIndexes (all
    /// indexes when unset), succeededCount have completed, or all of them when no count is given.
    /// </summary>
    private static int? MatchingRule(SuccessPolicy policy, ImmutableSortedSet<int> completed, int completions)
    {
        for (var i = 0; i < policy.Rules.Count; i++)
        {
            var rule = policy.Rules[i];
            var indexes = rule.SucceededIndexes is { } text ? IndexSet.Parse(text, completions) : [.. Enumerable.Range(0, completions)];
            var done = indexes.Count(completed.Contains);
            if (done > 0 && done >= (rule.SucceededCount ?? indexes.Count))
                return i;
        }
        return null;
    }

    /// <summary>The Suspended condition and start time: set on suspend, flipped and the clock restarted on resume.</summary>
    private static (ImmutableList<JobCondition>? Conditions, DateTimeOffset? StartTime) Suspension(ImmutableList<JobCondition>? conditions,
        DateTimeOffset? startTime, bool suspended, DateTimeOffset now, List<JobEvent> events)
    {
        var wasSuspended = conditions?.Any(c => c.Type == JobCondition.Suspended && c.Status == "True") == true;
        if (suspended && !wasSuspended)
        {
            events.Add(new JobEvent(Event.Normal, "Suspended", "Job suspended"));
            return (JobConditions.With(conditions, JobCondition.Suspended, "True", JobConditions.JobSuspended, "Job suspended", now), startTime);
        }
        if (!suspended && wasSuspended)
        {
            events.Add(new JobEvent(Event.Normal, "Resumed", "Job resumed"));
            // The deadline counts from the resume, as kube resets startTime.
            return (JobConditions.With(conditions, JobCondition.Suspended, "False", JobConditions.JobResumed, "Job resumed", now), now);
        }
        return (conditions, startTime);
    }

    /// <summary>Kube's manageJob for NonIndexed Jobs: pods to add up to what is wanted, or the surplus to delete.</summary>
    private static (IReadOnlyList<int?> Create, IReadOnlyList<Pod> Delete) ManageNonIndexed(Job job, IReadOnlyList<Pod> active, int terminating, int succeeded)
    {
        var parallelism = job.Spec.Parallelism ?? 1;
        // A work queue (no completions) creates no more pods after its first success and lets the running ones finish.
        var want = job.Spec.Completions is { } completions
            ? Math.Clamp(completions - succeeded, 0, parallelism)
            : succeeded > 0 ? active.Count : parallelism;
        if (active.Count > want)
            return ([], PodDeletionOrder.First(active, Math.Min(active.Count - want, Burst)));
        var missing = want - active.Count;
        if (job.Spec.PodReplacementPolicy == JobDefaults.Failed)
            missing -= terminating;
        return (Enumerable.Repeat<int?>(null, Math.Clamp(missing, 0, Burst)).ToList(), []);
    }

    /// <summary>
    /// Kube's manageJob for Indexed Jobs: pods with no valid index, a completed or failed one, or a duplicate go; the
    /// lowest indexes that are neither done nor running get a pod, up to parallelism.
    /// </summary>
    private static (IReadOnlyList<int?> Create, IReadOnlyList<Pod> Delete) ManageIndexed(Job job, IReadOnlyList<Pod> active, IReadOnlyList<Pod> pods,
        ImmutableSortedSet<int> completed, ImmutableSortedSet<int> failedIndexes)
    {
        var completions = job.Spec.Completions ?? 0;
        var parallelism = job.Spec.Parallelism ?? 1;
        var delete = new List<Pod>();
        var running = new SortedDictionary<int, Pod>();
        foreach (var pod in active.OrderBy(p => p.Metadata.CreationTimestamp))
        {
            if (JobPods.Index(pod) is { } i && i < completions && !completed.Contains(i) && !failedIndexes.Contains(i) && running.TryAdd(i, pod))
                continue;
            delete.Add(pod);
        }
        var want = Math.Min(parallelism, completions - completed.Count - failedIndexes.Count);
        if (running.Count > want)
        {
            delete.AddRange(running.Reverse().Take(running.Count - want).Select(p => p.Value));
            return ([], delete.Take(Burst).ToList());
        }
        // With podReplacementPolicy Failed, an index whose pod is still terminating waits for it.
        var busy = job.Spec.PodReplacementPolicy == JobDefaults.Failed
            ? pods.Where(JobPods.IsTerminating).Select(JobPods.Index).OfType<int>().ToHashSet()
            : [];
        var create = Enumerable.Range(0, completions)
            .Where(i => !completed.Contains(i) && !failedIndexes.Contains(i) && !running.ContainsKey(i) && !busy.Contains(i))
            .Take(Math.Min(want - running.Count, Burst))
            .Select(i => (int?)i)
            .ToList();
        return (create, delete.Take(Burst).ToList());
    }

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    private static int? NullIfZero(int value) => value == 0 ? null : value;
}
