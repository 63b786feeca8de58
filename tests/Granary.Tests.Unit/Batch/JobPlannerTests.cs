using Granary.Grains.Batch;
using Granary.Model;
using static Granary.Tests.Unit.Batch.BatchFixtures;

namespace Granary.Tests.Unit.Batch;

/// <summary>The job controller's decisions, as kube's job controller tests state them: pods to create and delete, status, conditions, when to look again.</summary>
public class JobPlannerTests
{
    [Fact]
    public void Plan_NewJob_CreatesParallelismPodsAndStarts()
    {
        var job = Job(completions: 5, parallelism: 3, status: new JobStatus());

        var sync = JobPlanner.Plan(job, [], Now);

        Assert.Equal([null, null, null], sync.ToCreate);
        Assert.Equal(Now, sync.Status.StartTime);
        Assert.Equal(3, sync.Status.Active);
        Assert.Equal(0, sync.Status.Ready);
        Assert.NotNull(sync.Status.UncountedTerminatedPods);
        Assert.Null(sync.Status.Conditions);
    }

    [Theory]
    [InlineData(5, 3, 0, 3)] // three to run, none yet
    [InlineData(5, 3, 3, 2)] // two completions left, parallelism does not matter
    [InlineData(5, 3, 5, 0)] // done
    [InlineData(2, 5, 0, 2)] // completions below parallelism
    public void Plan_NonIndexed_CreatesUpToRemainingCompletions(int completions, int parallelism, int succeeded, int expected)
    {
        var job = Job(completions, parallelism, status: new JobStatus { StartTime = Now, Succeeded = succeeded == 0 ? null : succeeded });

        var sync = JobPlanner.Plan(job, [], Now);

        Assert.Equal(expected, sync.ToCreate.Count);
    }

    [Fact]
    public void Plan_SucceededPods_AreListedUncountedThenCountedOnceTheirFinalizerIsGone()
    {
        var job = Job(completions: 5, parallelism: 3);
        var pods = new[] { Pod("a", "Succeeded"), Pod("b", "Succeeded"), Pod("c") };

        var first = JobPlanner.Plan(job, pods, Now);

        Assert.Equal(["a", "b"], first.ReleaseFinalizers.Select(p => p.Metadata.Uid));
        Assert.Equal(["a", "b"], first.Status.UncountedTerminatedPods!.Succeeded);
        Assert.Null(first.Status.Succeeded);
        Assert.Equal(2, first.ToCreate.Count); // 3 completions left, one running

        var second = JobPlanner.Plan(job with { Status = first.Status }, [Untracked(pods[0]), Untracked(pods[1]), pods[2]], Now);

        Assert.Equal(2, second.Status.Succeeded);
        Assert.Null(second.Status.UncountedTerminatedPods!.Succeeded);
        Assert.Empty(second.ReleaseFinalizers);
    }

    [Fact]
    public void Plan_PodDeletedBeforeItWasCounted_StillCounts()
    {
        var job = Job(completions: 1, parallelism: 1, status: new JobStatus { StartTime = Now, UncountedTerminatedPods = new UncountedTerminatedPods { Succeeded = ["gone"] } });

        var sync = JobPlanner.Plan(job, [], Now);

        Assert.Equal(1, sync.Status.Succeeded);
        Assert.True(JobConditions.IsTrue(sync.Status, JobCondition.Complete));
    }

    [Fact]
    public void Plan_AllCompletions_SuccessCriteriaMetFirstThenCompleteWithCompletionTime()
    {
        var job = Job(completions: 2, parallelism: 2, status: new JobStatus { StartTime = Now.AddMinutes(-1), Succeeded = 1 });
        var pod = Pod("b", "Succeeded");

        var first = JobPlanner.Plan(job, [Untracked(Pod("a", "Succeeded")), pod], Now);

        Assert.True(JobConditions.IsTrue(first.Status, JobCondition.SuccessCriteriaMet));
        Assert.False(JobConditions.IsTrue(first.Status, JobCondition.Complete));
        Assert.Empty(first.ToCreate);

        var second = JobPlanner.Plan(job with { Status = first.Status }, [Untracked(Pod("a", "Succeeded")), Untracked(pod)], Now);

        var complete = JobConditions.Find(second.Status, JobCondition.Complete)!;
        Assert.Equal(("True", "CompletionsReached", "Reached expected number of succeeded pods"), (complete.Status, complete.Reason, complete.Message));
        Assert.Equal(Now, second.Status.CompletionTime);
        Assert.Equal(2, second.Status.Succeeded);
        Assert.Contains(new JobEvent(Event.Normal, "Completed", "Job completed"), second.Events);
    }

    [Fact]
    public void Plan_FailuresOverBackoffLimit_FailTheJobAndDeleteRunningPods()
    {
        var job = Job(completions: 3, parallelism: 2, backoffLimit: 1);
        var running = Pod("c");
        var first = JobPlanner.Plan(job, [Pod("a", "Failed"), Pod("b", "Failed"), running], Now);

        var target = JobConditions.Find(first.Status, JobCondition.FailureTarget)!;
        Assert.Equal(("BackoffLimitExceeded", "Job has reached the specified backoff limit"), (target.Reason, target.Message));
        Assert.Equal([running], first.ToDelete);
        Assert.Empty(first.ToCreate);

        // The running pod was deleted: it is counted as failed, then the Job fails.
        var deleted = running with { Metadata = running.Metadata with { DeletionTimestamp = Now } };
        var second = JobPlanner.Plan(job with { Status = first.Status }, [Untracked(Pod("a", "Failed")), Untracked(Pod("b", "Failed")), deleted], Now);
        Assert.Equal(["c"], second.Status.UncountedTerminatedPods!.Failed);
        var third = JobPlanner.Plan(job with { Status = second.Status }, [Untracked(Pod("a", "Failed")), Untracked(Pod("b", "Failed"))], Now);

        Assert.True(JobConditions.IsTrue(third.Status, JobCondition.Failed));
        Assert.Equal(3, third.Status.Failed);
        Assert.Contains(new JobEvent(Event.Warning, "BackoffLimitExceeded", "Job has reached the specified backoff limit"), third.Events);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(6, 320)]
    [InlineData(7, 360)]
    [InlineData(20, 360)]
    public void Delay_DoublesFromTenSecondsUpToSixMinutes(int failures, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), JobBackoff.Delay(failures));
    }

    [Fact]
    public void Plan_RecentFailure_WaitsOutTheBackoffBeforeReplacing()
    {
        var job = Job(completions: 1, parallelism: 1);
        var failed = Untracked(Pod("a", "Failed", finishedAgo: 3));

        var sync = JobPlanner.Plan(job with { Status = job.Status! with { Failed = 1 } }, [failed], Now);

        Assert.Empty(sync.ToCreate);
        Assert.Equal(Now.AddSeconds(7), sync.RecheckAt);

        var later = JobPlanner.Plan(job with { Status = job.Status! with { Failed = 1 } }, [failed], Now.AddSeconds(7));
        Assert.Single(later.ToCreate);
    }

    [Fact]
    public void Plan_SecondFailure_WaitsTwentySeconds()
    {
        var job = Job(completions: 1, parallelism: 1) is var j ? j with { Status = j.Status! with { Failed = 2 } } : null!;

        var sync = JobPlanner.Plan(job, [Untracked(Pod("a", "Failed", finishedAgo: 30)), Untracked(Pod("b", "Failed", finishedAgo: 5))], Now);

        Assert.Equal(Now.AddSeconds(15), sync.RecheckAt);
    }

    [Fact]
    public void Plan_OnFailureRestartsReachingTheLimit_FailTheJob()
    {
        var job = Job(completions: 1, parallelism: 1, backoffLimit: 2, restartPolicy: "OnFailure");

        var sync = JobPlanner.Plan(job, [Pod("a", restarts: 2)], Now);

        Assert.Equal("BackoffLimitExceeded", JobConditions.Find(sync.Status, JobCondition.FailureTarget)?.Reason);
    }

    [Fact]
    public void Plan_ActiveDeadline_LooksAgainThenFailsWithDeadlineExceeded()
    {
        var job = Job(completions: 1, parallelism: 1) is var j ? j with { Spec = j.Spec with { ActiveDeadlineSeconds = 600 } } : null!;
        var running = Pod("a");

        var before = JobPlanner.Plan(job, [running], Now);
        Assert.Equal(job.Status!.StartTime!.Value.AddSeconds(600), before.RecheckAt);
        Assert.Null(before.Status.Conditions);

        var after = JobPlanner.Plan(job, [running], before.RecheckAt!.Value);
        var target = JobConditions.Find(after.Status, JobCondition.FailureTarget)!;
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), (target.Reason, target.Message));
        Assert.Equal([running], after.ToDelete);
    }

    [Fact]
    public void Plan_Indexed_CreatesTheLowestFreeIndexes()
    {
        var job = Job(completions: 4, parallelism: 2, mode: JobSpec.Indexed) is var j
            ? j with { Status = j.Status! with { CompletedIndexes = "0", Succeeded = 1 } } : null!;

        var sync = JobPlanner.Plan(job, [Pod("b", index: 1)], Now);

        Assert.Equal([2], sync.ToCreate);
        Assert.Equal("0", sync.Status.CompletedIndexes);
    }

    [Fact]
    public void Plan_Indexed_SucceededIndexesAreRecordedAsRanges()
    {
        var job = Job(completions: 5, parallelism: 5, mode: JobSpec.Indexed) is var j ? j with { Status = j.Status! with { CompletedIndexes = "0,4" } } : null!;

        var sync = JobPlanner.Plan(job, [Pod("b", "Succeeded", index: 1), Pod("c", "Succeeded", index: 2), Pod("dup", "Succeeded", index: 4)], Now);

        Assert.Equal("0-2,4", sync.Status.CompletedIndexes);
        Assert.Equal(["b", "c"], sync.Status.UncountedTerminatedPods!.Succeeded);
        Assert.Equal([3], sync.ToCreate);
    }

    [Fact]
    public void NewPod_Indexed_CarriesTheIndexEnvHostnameAndFinalizer()
    {
        var job = Job(completions: 4, parallelism: 2, mode: JobSpec.Indexed);

        var pod = JobPods.NewPod(job, "pi-3-abcde", 3);

        Assert.Equal("3", pod.Metadata.Annotations![BatchLabels.CompletionIndex]);
        Assert.Equal("3", pod.Metadata.Labels![BatchLabels.CompletionIndex]);
        Assert.Equal("job-uid", pod.Metadata.Labels![BatchLabels.ControllerUid]);
        Assert.Equal("pi", pod.Metadata.Labels!["job-name"]);
        Assert.Equal("pi-3", pod.Spec.Hostname);
        Assert.Equal([BatchLabels.TrackingFinalizer], pod.Metadata.Finalizers);
        var env = Assert.Single(pod.Spec.Containers![0].Env!);
        Assert.Equal(("JOB_COMPLETION_INDEX", "metadata.annotations['batch.kubernetes.io/job-completion-index']"), (env.Name, env.ValueFrom!.FieldRef!.FieldPath));
        Assert.Equal("pi-3-", JobPods.GenerateName(job, 3));
        Assert.Equal(("Job", "pi", true), (pod.Metadata.OwnerReferences![0].Kind, pod.Metadata.OwnerReferences[0].Name, pod.Metadata.OwnerReferences[0].Controller == true));
    }

    [Fact]
    public void Plan_Suspend_DeletesActivePodsThenResumeRestartsTheClock()
    {
        var job = Job(completions: 3, parallelism: 2) is var j ? j with { Spec = j.Spec with { Suspend = true } } : null!;
        var pods = new[] { Pod("a"), Pod("b") };

        var suspended = JobPlanner.Plan(job, pods, Now);

        Assert.Equal(pods, suspended.ToDelete);
        Assert.Empty(suspended.ToCreate);
        Assert.Equal("JobSuspended", JobConditions.Find(suspended.Status, JobCondition.Suspended)?.Reason);
        Assert.Contains(new JobEvent(Event.Normal, "Suspended", "Job suspended"), suspended.Events);

        var resumed = JobPlanner.Plan(job with { Spec = job.Spec with { Suspend = false }, Status = suspended.Status }, [], Now.AddMinutes(1));

        var condition = JobConditions.Find(resumed.Status, JobCondition.Suspended)!;
        Assert.Equal(("False", "JobResumed"), (condition.Status, condition.Reason));
        Assert.Equal(Now.AddMinutes(1), resumed.Status.StartTime);
        Assert.Equal(2, resumed.ToCreate.Count);
    }

    [Fact]
    public void Plan_PodFailurePolicyFailJob_FailsWithKubesMessage()
    {
        var job = Job(completions: 3, parallelism: 1) is var j
            ? j with
            {
                Spec = j.Spec with
                {
                    PodFailurePolicy = new PodFailurePolicy
                    {
                        Rules = [new PodFailurePolicyRule { Action = "FailJob", OnExitCodes = new PodFailurePolicyOnExitCodesRequirement { Operator = "In", Values = [42] } }],
                    },
                },
            }
            : null!;

        var sync = JobPlanner.Plan(job, [Pod("a", "Failed", exitCode: 42)], Now);

        var target = JobConditions.Find(sync.Status, JobCondition.FailureTarget)!;
        Assert.Equal(("PodFailurePolicy", "Container pi for pod default/pi-a failed with exit code 42 matching FailJob rule at index 0"), (target.Reason, target.Message));
    }

    [Fact]
    public void Plan_PodFailurePolicyIgnore_DoesNotCountTheFailure()
    {
        var job = Job(completions: 1, parallelism: 1, backoffLimit: 0) is var j
            ? j with
            {
                Spec = j.Spec with
                {
                    PodFailurePolicy = new PodFailurePolicy
                    {
                        Rules = [new PodFailurePolicyRule { Action = "Ignore", OnPodConditions = [new PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }] }],
                    },
                },
            }
            : null!;
        var evicted = Pod("a", "Failed") is var p ? p with { Status = p.Status! with { Conditions = [new PodCondition { Type = "DisruptionTarget", Status = "True" }] } } : null!;

        var sync = JobPlanner.Plan(job, [evicted], Now);

        Assert.Null(sync.Status.UncountedTerminatedPods!.Failed);
        Assert.Null(sync.Status.Conditions);
        Assert.Equal([evicted], sync.ReleaseFinalizers);
    }

    [Fact]
    public void Plan_DeletedRunningPod_IsCountedFailedAndReplaced()
    {
        var job = Job(completions: 1, parallelism: 1);

        var sync = JobPlanner.Plan(job, [Pod("a", deleting: true)], Now);

        Assert.Equal(["a"], sync.Status.UncountedTerminatedPods!.Failed);
        Assert.Single(sync.ToCreate);
        Assert.Equal(1, sync.Status.Terminating);
    }

    [Fact]
    public void Plan_WorkQueue_StopsCreatingAfterTheFirstSuccessAndCompletesWhenAllStop()
    {
        var job = Job(completions: null, parallelism: 2, status: new JobStatus { StartTime = Now, Succeeded = 1 });

        var running = JobPlanner.Plan(job, [Untracked(Pod("a", "Succeeded")), Pod("b")], Now);
        Assert.Empty(running.ToCreate);
        Assert.Null(running.Status.Conditions);

        var done = JobPlanner.Plan(job, [Untracked(Pod("a", "Succeeded"))], Now);
        Assert.True(JobConditions.IsTrue(done.Status, JobCondition.Complete));
    }

    [Fact]
    public void Plan_FinishedJobWithTtl_LooksAgainThenDeletesIt()
    {
        var complete = new JobCondition { Type = "Complete", Status = "True", LastTransitionTime = Now.AddSeconds(-50) };
        var job = Job(completions: 1, parallelism: 1, status: new JobStatus { Conditions = [complete], CompletionTime = Now.AddSeconds(-50) }) is var j
            ? j with { Spec = j.Spec with { TtlSecondsAfterFinished = 100 } } : null!;

        var waiting = JobPlanner.Plan(job, [Pod("a", "Succeeded")], Now);
        Assert.Equal(Now.AddSeconds(50), waiting.RecheckAt);
        Assert.False(waiting.DeleteJob);
        Assert.Single(waiting.ReleaseFinalizers);

        Assert.True(JobPlanner.Plan(job, [], Now.AddSeconds(50)).DeleteJob);
    }

    [Fact]
    public void Plan_FinishedJob_CreatesAndDeletesNothing()
    {
        var job = Job(completions: 1, parallelism: 1, status: new JobStatus { Conditions = [new JobCondition { Type = "Failed", Status = "True" }] });

        var sync = JobPlanner.Plan(job, [Untracked(Pod("a", "Failed"))], Now);

        Assert.Empty(sync.ToCreate);
        Assert.Empty(sync.ToDelete);
        Assert.Null(sync.RecheckAt);
    }

    [Fact]
    public void Plan_SuccessPolicy_MetByTheLeaderIndex_SucceedsAndStopsTheRest()
    {
        var job = Job(completions: 4, parallelism: 4, mode: JobSpec.Indexed) is var j
            ? j with { Spec = j.Spec with { SuccessPolicy = new SuccessPolicy { Rules = [new SuccessPolicyRule { SucceededIndexes = "0" }] } } } : null!;
        var worker = Pod("w", index: 1);

        var sync = JobPlanner.Plan(job, [Pod("leader", "Succeeded", index: 0), worker], Now);

        var met = JobConditions.Find(sync.Status, JobCondition.SuccessCriteriaMet)!;
        Assert.Equal(("SuccessPolicy", "Matched rules at index 0"), (met.Reason, met.Message));
        Assert.Equal([worker], sync.ToDelete);
        Assert.Empty(sync.ToCreate);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 4, 6, 7 }, "0-2,4,6-7")]
    [InlineData(new[] { 3 }, "3")]
    [InlineData(new int[0], null)]
    public void IndexSet_FormatsAsKube_AndParsesBack(int[] indexes, string? text)
    {
        Assert.Equal(text, IndexSet.Format(indexes));
        Assert.Equal(indexes, IndexSet.Parse(text, 100));
    }
}
