using System.Collections.Immutable;
using System.Globalization;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.Batch;

/// <summary>
/// What one CronJob sync does: the Job to create for the scheduled time (with that time), the Jobs to delete (Replace,
/// history limits), the status before the create, events, and when to look again.
/// </summary>
public sealed record CronJobSync(Job? ToCreate, DateTimeOffset? ScheduledTime, IReadOnlyList<Job> ToDelete, CronJobStatus Status,
    IReadOnlyList<JobEvent> Events, DateTimeOffset? RecheckAt);

/// <summary>
/// Kube's cronjob controllerv2 syncCronJob and cleanupFinishedJobs, without side effects. Missed times after a
/// failover or downtime are handled as kube does: only the most recent one runs, and only within
/// startingDeadlineSeconds; more than 100 missed records TooManyMissedTimes.
/// </summary>
public static class CronJobPlanner
{
    /// <summary>Kube looks again 100 ms after the next scheduled time, so that time is surely reached.</summary>
    public static readonly TimeSpan NextScheduleDelta = TimeSpan.FromMilliseconds(100);

    public static CronJobSync Plan(CronJob cj, IReadOnlyList<Job> owned, DateTimeOffset now)
    {
        var status = cj.Status ?? new CronJobStatus();
        var events = new List<JobEvent>();
        var active = status.Active ?? [];
        var lastSuccess = status.LastSuccessfulTime;
        var byUid = owned.Where(j => j.Metadata.Uid is not null).ToDictionary(j => j.Metadata.Uid!);

        foreach (var job in owned)
        {
            var listed = active.Any(r => r.Uid == job.Metadata.Uid);
            var finished = JobConditions.IsFinished(job.Status);
            if (!listed && !finished)
            {
                events.Add(new JobEvent(Event.Warning, "UnexpectedJob", $"Saw a job that the controller did not create or forgot: {job.Metadata.Name}"));
            }
            else if (listed && finished)
            {
                active = active.RemoveAll(r => r.Uid == job.Metadata.Uid);
                var condition = JobConditions.IsTrue(job.Status, JobCondition.Complete) ? JobCondition.Complete : JobCondition.Failed;
                events.Add(new JobEvent(Event.Normal, "SawCompletedJob", $"Saw completed job: {job.Metadata.Name}, condition: {condition}"));
            }
            if (JobConditions.IsTrue(job.Status, JobCondition.Complete) && job.Status?.CompletionTime is { } done && (lastSuccess is null || done > lastSuccess))
                lastSuccess = done;
        }
        foreach (var missing in active.Where(r => r.Uid is null || !byUid.ContainsKey(r.Uid)).ToList())
        {
            events.Add(new JobEvent(Event.Normal, "MissingJob", $"Active job went missing: {missing.Name}"));
            active = active.Remove(missing);
        }
        status = status with { Active = active.Count == 0 ? null : active, LastSuccessfulTime = lastSuccess };

        var toDelete = new List<Job>(HistoryToDelete(cj, owned));
        if (cj.Metadata.DeletionTimestamp is not null || cj.Spec.Suspend == true)
            return new CronJobSync(null, null, toDelete, status, events, null);

        var zone = cj.Spec.TimeZone is { } zoneName ? CronSchedule.TryFindZone(zoneName) : TimeZoneInfo.Utc;
        if (zone is null)
        {
            events.Add(new JobEvent(Event.Warning, "UnknownTimeZone", $"invalid timeZone: \"{cj.Spec.TimeZone}\": unknown time zone {cj.Spec.TimeZone}"));
            return new CronJobSync(null, null, toDelete, status, events, null);
        }
        if (CronSchedule.TryParse(cj.Spec.Schedule, zone, out var error) is not { } schedule)
        {
            events.Add(new JobEvent(Event.Warning, "UnparseableSchedule", $"unparseable schedule: \"{cj.Spec.Schedule}\" : {error}"));
            return new CronJobSync(null, null, toDelete, status, events, null);
        }

        var recheck = schedule.Next(now) is { } next ? next + NextScheduleDelta : (DateTimeOffset?)null;
        var earliest = status.LastScheduleTime ?? cj.Metadata.CreationTimestamp ?? now;
        if (cj.Spec.StartingDeadlineSeconds is { } deadline && now.AddSeconds(-deadline) > earliest)
            earliest = now.AddSeconds(-deadline);
        var (scheduled, missed) = schedule.MostRecent(earliest, now);
        if (missed > CronSchedule.MaxMissed)
            events.Add(new JobEvent(Event.Warning, "TooManyMissedTimes",
                "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"));
        if (scheduled is not { } at)
            return new CronJobSync(null, null, toDelete, status, events, recheck);

        if (cj.Spec.StartingDeadlineSeconds is { } limit && at.AddSeconds(limit) < now)
        {
            events.Add(new JobEvent(Event.Warning, "MissSchedule",
                $"Missed scheduled time to start a job: {at.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)}"));
            return new CronJobSync(null, null, toDelete, status, events, recheck);
        }

        // A Job for this time exists already (made before a failover cut the status write short): only record it.
        var name = JobName(cj, at);
        if (owned.FirstOrDefault(j => j.Metadata.Name == name) is { } made)
        {
            if (!JobConditions.IsFinished(made.Status) && !active.Any(r => r.Uid == made.Metadata.Uid))
                status = WithCreated(status, made, at);
            else if (status.LastScheduleTime != at)
                status = status with { LastScheduleTime = at };
            return new CronJobSync(null, null, toDelete, status, events, recheck);
        }
        if (status.LastScheduleTime == at)
            return new CronJobSync(null, null, toDelete, status, events, recheck);

        if (cj.Spec.ConcurrencyPolicy == CronJobSpec.Forbid && active.Count > 0)
        {
            events.Add(new JobEvent(Event.Normal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid"));
            return new CronJobSync(null, null, toDelete, status, events, recheck);
        }
        if (cj.Spec.ConcurrencyPolicy == CronJobSpec.Replace)
        {
            foreach (var reference in active)
                if (reference.Uid is { } uid && byUid.TryGetValue(uid, out var running) && !toDelete.Contains(running))
                    toDelete.Add(running);
            status = status with { Active = null };
        }
        return new CronJobSync(NewJob(cj, at, zone), at, toDelete, status, events, recheck);
    }

    /// <summary>The status once the Job for <paramref name="scheduled"/> exists: listed as active, the time recorded.</summary>
    public static CronJobStatus WithCreated(CronJobStatus status, Job job, DateTimeOffset scheduled) => status with
    {
        Active = (status.Active ?? []).Add(ObjectReference.To(job)),
        LastScheduleTime = scheduled,
    };

    /// <summary>"cronjob-&lt;minutes since the epoch&gt;", so each scheduled time makes one Job whatever happens.</summary>
    public static string JobName(CronJob cj, DateTimeOffset scheduled) =>
        string.Create(CultureInfo.InvariantCulture, $"{cj.Metadata.Name}-{scheduled.ToUnixTimeSeconds() / 60}");

    /// <summary>Kube's getJobFromTemplate2: the template's labels, annotations and spec, the scheduled time, a controller reference.</summary>
    public static Job NewJob(CronJob cj, DateTimeOffset scheduled, TimeZoneInfo zone)
    {
        var template = cj.Spec.JobTemplate ?? new JobTemplateSpec();
        var local = TimeZoneInfo.ConvertTime(scheduled, zone);
        var annotations = (template.Metadata?.Annotations ?? ImmutableSortedDictionary<string, string>.Empty)
            .SetItem(BatchLabels.CronJobScheduledTimestamp, Rfc3339(local));
        return new Job
        {
            Metadata = new ObjectMeta
            {
                Name = JobName(cj, scheduled),
                Namespace = cj.Metadata.Namespace,
                Labels = template.Metadata?.Labels,
                Annotations = annotations,
                OwnerReferences = [OwnerReferences.ControllerOf(cj)],
            },
            Spec = template.Spec ?? new JobSpec(),
        };
    }

    /// <summary>Go's time.RFC3339: "Z" for UTC, else the offset.</summary>
    private static string Rfc3339(DateTimeOffset t) =>
        t.Offset == TimeSpan.Zero ? t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit (by start time, then name).</summary>
    private static IEnumerable<Job> HistoryToDelete(CronJob cj, IReadOnlyList<Job> owned)
    {
        IEnumerable<Job> Oldest(string condition, int? limit)
        {
            if (limit is not { } keep)
                return [];
            var finished = owned.Where(j => j.Metadata.DeletionTimestamp is null && JobConditions.IsTrue(j.Status, condition))
                .OrderBy(j => j.Status?.StartTime ?? DateTimeOffset.MaxValue).ThenBy(j => j.Metadata.Name, StringComparer.Ordinal).ToList();
            return finished.Take(Math.Max(0, finished.Count - keep));
        }
        return Oldest(JobCondition.Complete, cj.Spec.SuccessfulJobsHistoryLimit).Concat(Oldest(JobCondition.Failed, cj.Spec.FailedJobsHistoryLimit));
    }
}
