using Granary.Grains.Batch;
using Granary.Model;

namespace Granary.Tests.Unit.Batch;

/// <summary>The cronjob controller's decisions on a fake clock, as kube's cronjob controllerv2 tests state them.</summary>
public class CronJobPlannerTests
{
    // 2026-12-07 12:00:00 UTC, a Monday.
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static CronJob Cj(string schedule = "*/5 * * * *", string policy = CronJobSpec.Allow, long? deadline = null, string? zone = null,
        CronJobStatus? status = null, DateTimeOffset? created = null) => CronJobDefaults.Apply(new CronJob
    {
        Metadata = new ObjectMeta { Name = "tick", Namespace = "default", Uid = "cj-uid", CreationTimestamp = created ?? Noon.AddSeconds(-30) },
        Spec = new CronJobSpec
        {
            Schedule = schedule,
            TimeZone = zone,
            ConcurrencyPolicy = policy,
            StartingDeadlineSeconds = deadline,
            JobTemplate = new JobTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = BatchFixtures.Labels(("app", "tick")) },
                Spec = new JobSpec
                {
                    Template = new PodTemplateSpec
                    {
                        Spec = new PodSpec { RestartPolicy = "OnFailure", Containers = [new Container { Name = "tick", Image = "local/busybox:1" }] },
                    },
                },
            },
        },
        Status = status,
    });

    private static Job OwnedJob(string name, string uid, string? finished = null, DateTimeOffset? started = null, DateTimeOffset? completed = null) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = "default",
            Uid = uid,
            OwnerReferences = [new OwnerReference { ApiVersion = "batch/v1", Kind = "CronJob", Name = "tick", Uid = "cj-uid", Controller = true }],
        },
        Status = new JobStatus
        {
            StartTime = started,
            CompletionTime = completed,
            Conditions = finished is null ? null : [new JobCondition { Type = finished, Status = "True" }],
        },
    };

    private static ObjectReference Ref(Job job) => ObjectReference.To(job);

    [Fact]
    public void Plan_BeforeTheFirstTime_CreatesNothingAndLooksAgainJustAfterIt()
    {
        var sync = CronJobPlanner.Plan(Cj(created: Noon.AddSeconds(30)), [], Noon.AddMinutes(3));

        Assert.Null(sync.ToCreate);
        Assert.Equal(Noon.AddMinutes(5) + CronJobPlanner.NextScheduleDelta, sync.RecheckAt);
    }

    [Fact]
    public void Plan_AtTheScheduledTime_CreatesTheJobNamedByItsMinute()
    {
        var at = Noon.AddMinutes(5);

        var sync = CronJobPlanner.Plan(Cj(), [], at.AddMilliseconds(100));

        var job = sync.ToCreate!;
        Assert.Equal($"tick-{at.ToUnixTimeSeconds() / 60}", job.Metadata.Name);
        Assert.Equal(at, sync.ScheduledTime);
        Assert.Equal("2026-12-07T12:05:00Z", job.Metadata.Annotations![BatchLabels.CronJobScheduledTimestamp]);
        Assert.Equal("tick", job.Metadata.Labels!["app"]);
        var owner = Assert.Single(job.Metadata.OwnerReferences!);
        Assert.Equal(("CronJob", "tick", "cj-uid", true), (owner.Kind, owner.Name, owner.Uid, owner.Controller == true));
        Assert.Equal("OnFailure", job.Spec.Template!.Spec!.RestartPolicy);
        Assert.Equal(Noon.AddMinutes(10) + CronJobPlanner.NextScheduleDelta, sync.RecheckAt);

        var status = CronJobPlanner.WithCreated(sync.Status, job with { Metadata = job.Metadata with { Uid = "j1" } }, at);
        Assert.Equal(at, status.LastScheduleTime);
        Assert.Equal("j1", Assert.Single(status.Active!).Uid);
    }

    [Fact]
    public void Plan_AfterDowntime_RunsOnlyTheMostRecentMissedTime()
    {
        var cj = Cj(status: new CronJobStatus { LastScheduleTime = Noon });

        var sync = CronJobPlanner.Plan(cj, [], Noon.AddMinutes(32));

        Assert.Equal(Noon.AddMinutes(30), sync.ScheduledTime);
        Assert.DoesNotContain(sync.Events, e => e.Reason == "TooManyMissedTimes");
    }

    [Fact]
    public void Plan_MissedTimeOutsideTheStartingDeadline_IsSkipped()
    {
        var cj = Cj(deadline: 60, status: new CronJobStatus { LastScheduleTime = Noon });

        var sync = CronJobPlanner.Plan(cj, [], Noon.AddMinutes(7));

        Assert.Null(sync.ToCreate);
        Assert.Equal(Noon.AddMinutes(10) + CronJobPlanner.NextScheduleDelta, sync.RecheckAt);
    }

    [Fact]
    public void Plan_MissedTimeWithinTheStartingDeadline_Runs()
    {
        var cj = Cj(deadline: 200, status: new CronJobStatus { LastScheduleTime = Noon });

        var sync = CronJobPlanner.Plan(cj, [], Noon.AddMinutes(7));

        Assert.Equal(Noon.AddMinutes(5), sync.ScheduledTime);
    }

    [Fact]
    public void Plan_MoreThanAHundredMissed_WarnsAndStillRunsTheLatest()
    {
        var cj = Cj(schedule: "* * * * *", status: new CronJobStatus { LastScheduleTime = Noon });

        var sync = CronJobPlanner.Plan(cj, [], Noon.AddHours(3).AddSeconds(10));

        var warning = Assert.Single(sync.Events, e => e.Reason == "TooManyMissedTimes");
        Assert.Equal(Event.Warning, warning.Type);
        Assert.Equal(Noon.AddHours(3), sync.ScheduledTime);
    }

    [Fact]
    public void Plan_Forbid_WithAnActiveJob_StartsNothing()
    {
        var running = OwnedJob("tick-1", "j1");
        var cj = Cj(policy: CronJobSpec.Forbid, status: new CronJobStatus { Active = [Ref(running)], LastScheduleTime = Noon });

        var sync = CronJobPlanner.Plan(cj, [running], Noon.AddMinutes(5));

        Assert.Null(sync.ToCreate);
        Assert.Contains(new JobEvent(Event.Normal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid"), sync.Events);
    }

    [Fact]
    public void Plan_Replace_DeletesTheActiveJobAndCreatesTheNewOne()
    {
        var running = OwnedJob("tick-1", "j1");
        var cj = Cj(policy: CronJobSpec.Replace, status: new CronJobStatus { Active = [Ref(running)], LastScheduleTime = Noon });

        var sync = CronJobPlanner.Plan(cj, [running], Noon.AddMinutes(5));

        Assert.Equal([running], sync.ToDelete);
        Assert.NotNull(sync.ToCreate);
        Assert.Null(sync.Status.Active);
    }

    [Fact]
    public void Plan_Allow_RunsBesideAnActiveJob()
    {
        var running = OwnedJob("tick-1", "j1");
        var cj = Cj(status: new CronJobStatus { Active = [Ref(running)], LastScheduleTime = Noon });

        var sync = CronJobPlanner.Plan(cj, [running], Noon.AddMinutes(5));

        Assert.NotNull(sync.ToCreate);
        Assert.Empty(sync.ToDelete);
    }

    [Fact]
    public void Plan_JobMadeBeforeAFailoverCutTheStatusShort_IsRecordedNotMadeAgain()
    {
        var at = Noon.AddMinutes(5);
        var made = OwnedJob($"tick-{at.ToUnixTimeSeconds() / 60}", "j1");

        var sync = CronJobPlanner.Plan(Cj(), [made], at.AddSeconds(2));

        Assert.Null(sync.ToCreate);
        Assert.Equal(at, sync.Status.LastScheduleTime);
        Assert.Equal("j1", Assert.Single(sync.Status.Active!).Uid);
    }

    [Fact]
    public void Plan_FinishedActiveJob_LeavesTheActiveListAndSetsLastSuccessfulTime()
    {
        var done = OwnedJob("tick-1", "j1", JobCondition.Complete, completed: Noon.AddSeconds(-5));
        var cj = Cj(status: new CronJobStatus { Active = [Ref(done)], LastScheduleTime = Noon.AddMinutes(-5) });

        var sync = CronJobPlanner.Plan(cj, [done], Noon.AddSeconds(1));

        Assert.Null(sync.Status.Active);
        Assert.Equal(Noon.AddSeconds(-5), sync.Status.LastSuccessfulTime);
        Assert.Contains(new JobEvent(Event.Normal, "SawCompletedJob", "Saw completed job: tick-1, condition: Complete"), sync.Events);
    }

    [Fact]
    public void Plan_ActiveJobThatWentMissing_LeavesTheList()
    {
        var cj = Cj(status: new CronJobStatus { Active = [new ObjectReference { Name = "tick-9", Uid = "gone" }], LastScheduleTime = Noon });

        var sync = CronJobPlanner.Plan(cj, [], Noon.AddMinutes(1));

        Assert.Null(sync.Status.Active);
        Assert.Contains(new JobEvent(Event.Normal, "MissingJob", "Active job went missing: tick-9"), sync.Events);
    }

    [Fact]
    public void Plan_HistoryLimits_DeleteTheOldestFinishedJobs()
    {
        var jobs = Enumerable.Range(1, 5).Select(i => OwnedJob($"tick-{i}", $"s{i}", JobCondition.Complete, started: Noon.AddMinutes(-10 + i)))
            .Concat(Enumerable.Range(1, 2).Select(i => OwnedJob($"fail-{i}", $"f{i}", JobCondition.Failed, started: Noon.AddMinutes(-10 + i))))
            .ToList();

        var sync = CronJobPlanner.Plan(Cj(status: new CronJobStatus { LastScheduleTime = Noon }), jobs, Noon.AddMinutes(1));

        Assert.Equal(["tick-1", "tick-2", "fail-1"], sync.ToDelete.Select(j => j.Metadata.Name));
    }

    [Fact]
    public void Plan_Suspended_CreatesNothing()
    {
        var cj = Cj() is var c ? c with { Spec = c.Spec with { Suspend = true } } : null!;

        var sync = CronJobPlanner.Plan(cj, [], Noon.AddMinutes(5));

        Assert.Null(sync.ToCreate);
        Assert.Null(sync.RecheckAt);
    }

    [Fact]
    public void Plan_TimeZone_SchedulesInThatZone()
    {
        // 09:00 in Berlin is 08:00 UTC in December.
        var cj = Cj(schedule: "0 9 * * *", zone: "Europe/Berlin", created: Noon.AddDays(-1));

        var sync = CronJobPlanner.Plan(cj, [], Noon);

        Assert.Equal(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero), sync.ScheduledTime);
        Assert.Equal("2026-12-07T09:00:00+01:00", sync.ToCreate!.Metadata.Annotations![BatchLabels.CronJobScheduledTimestamp]);
    }

    [Theory]
    [InlineData("@hourly", "2026-12-07T13:00:00Z")]
    [InlineData("@daily", "2026-12-08T00:00:00Z")]
    [InlineData("30 12 * * 1-5", "2026-12-07T12:30:00Z")]
    public void Next_FollowsKubesScheduleForms(string schedule, string next)
    {
        var parsed = CronSchedule.TryParse(schedule, TimeZoneInfo.Utc, out var error);

        Assert.Null(error);
        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), parsed!.Next(Noon));
    }
}
