using Granary.Model;
using Granary.Printing.Tables;
using static Granary.Tests.Unit.Batch.BatchFixtures;

namespace Granary.Tests.Unit.Batch;

/// <summary>The rows kubectl 1.32 prints for Jobs and CronJobs.</summary>
public class BatchTablesTests
{
    [Fact]
    public void JobTable_HasKubesColumns()
    {
        Assert.Equal(["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"],
            KindTables.For(ResourceKinds.Job).Columns.Select(c => c.Name));
    }

    [Fact]
    public void JobRow_Complete_ShowsCompletionsAndDurationFromStartToCompletion()
    {
        var job = Job(completions: 5, parallelism: 3, status: new JobStatus
        {
            StartTime = Now.AddSeconds(-100),
            CompletionTime = Now.AddSeconds(-63),
            Succeeded = 5,
            Conditions = [new JobCondition { Type = "Complete", Status = "True" }],
        });

        var cells = KindTables.For(ResourceKinds.Job).Cells(job, Now);

        Assert.Equal(["pi", "Complete", "5/5", "37s", "10m"], cells.Take(5));
        Assert.Equal("batch.kubernetes.io/controller-uid=job-uid", cells[7]);
    }

    [Theory]
    [InlineData(null, 1, "0/1", "Running")]
    [InlineData(null, 4, "0/1 of 4", "Running")]
    public void JobRow_WorkQueue_ShowsParallelism(int? completions, int parallelism, string shown, string status)
    {
        var job = Job(completions: 5, parallelism: parallelism, status: new JobStatus { StartTime = Now.AddSeconds(-5) }) is var j
            ? j with { Spec = j.Spec with { Completions = completions } } : null!;

        var cells = KindTables.For(ResourceKinds.Job).Cells(job, Now);

        Assert.Equal([status, shown, "5s"], cells.Skip(1).Take(3));
    }

    [Theory]
    [InlineData("Failed", "Failed")]
    [InlineData("Suspended", "Suspended")]
    [InlineData("FailureTarget", "FailureTarget")]
    [InlineData("SuccessCriteriaMet", "SuccessCriteriaMet")]
    public void JobRow_Status_FollowsTheConditions(string condition, string shown)
    {
        var job = Job(status: new JobStatus { Conditions = [new JobCondition { Type = condition, Status = "True" }] });

        Assert.Equal(shown, KindTables.For(ResourceKinds.Job).Cells(job, Now)[1]);
    }

    [Fact]
    public void CronJobRow_ShowsScheduleZoneSuspendActiveAndLastSchedule()
    {
        var cj = new CronJob
        {
            Metadata = new ObjectMeta { Name = "tick", CreationTimestamp = Now.AddHours(-2) },
            Spec = new CronJobSpec { Schedule = "*/5 * * * *", Suspend = false },
            Status = new CronJobStatus { Active = [new ObjectReference { Name = "tick-1" }], LastScheduleTime = Now.AddSeconds(-40) },
        };

        Assert.Equal(["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age", "Containers", "Images", "Selector"],
            KindTables.For(ResourceKinds.CronJob).Columns.Select(c => c.Name));
        Assert.Equal(["tick", "*/5 * * * *", "<none>", "False", "1", "40s", "120m"], KindTables.For(ResourceKinds.CronJob).Cells(cj, Now).Take(7));
    }
}
