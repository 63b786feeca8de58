using Granary.Cli.Output;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;
using Granary.Printing;

namespace Granary.Tests.Unit.Cli;

public class PodTableTests
{
    public static TheoryData<string, PodStatus?, string> StatusCases => new()
    {
        { "no status", null, "Pending" },
        { "no phase", new PodStatus(), "Pending" },
        { "phase", new PodStatus { Phase = "Running", ContainerStatuses = [Running("c0"), Running("c1")] }, "Running" },
        { "status reason", new PodStatus { Phase = "Failed", Reason = "Evicted" }, "Evicted" },
        { "waiting reason", new PodStatus { Phase = "Pending", ContainerStatuses = [Waiting("c0", "ContainerCreating"), Waiting("c1", "ContainerCreating")] }, "ContainerCreating" },
        { "first container wins", new PodStatus { Phase = "Running", ContainerStatuses = [Waiting("c0", "CrashLoopBackOff"), Waiting("c1", "ImagePullBackOff")] }, "CrashLoopBackOff" },
        { "container over status reason", new PodStatus { Phase = "Running", Reason = "Whatever", ContainerStatuses = [Running("c0"), Waiting("c1", "CrashLoopBackOff")] }, "CrashLoopBackOff" },
        { "terminated reason", new PodStatus { Phase = "Succeeded", ContainerStatuses = [Terminated("c0", 0, "Completed"), Terminated("c1", 0, "Completed")] }, "Completed" },
        { "error", new PodStatus { Phase = "Failed", ContainerStatuses = [Terminated("c0", 1, "Error"), Terminated("c1", 0, "Completed")] }, "Error" },
        { "exit code without reason", new PodStatus { Phase = "Failed", ContainerStatuses = [Terminated("c0", 137), Running("c1")] }, "ExitCode:137" },
        { "signal without reason", new PodStatus { Phase = "Failed", ContainerStatuses = [Terminated("c0", 0, signal: 9), Running("c1")] }, "Signal:9" },
        { "completed but another runs, ready", new PodStatus { Phase = "Running", Conditions = [new PodCondition { Type = "Ready", Status = "True" }], ContainerStatuses = [Terminated("c0", 0, "Completed"), Running("c1")] }, "Running" },
        { "completed but another runs, not ready", new PodStatus { Phase = "Running", ContainerStatuses = [Running("c0"), Terminated("c1", 0, "Completed")] }, "NotReady" },
    };

    [Theory]
    [MemberData(nameof(StatusCases))]
    public void Status_FollowsKubectl(string because, PodStatus? status, string expected)
    {
        Assert.True(expected == PodColumns.Status(Pod("web", containers: 2, status: status)), because);
    }

    [Theory]
    [InlineData("Running", "Terminating")]
    [InlineData("Pending", "Terminating")]
    [InlineData("Succeeded", "Succeeded")]
    [InlineData("Failed", "Failed")]
    public void Status_BeingDeleted_IsTerminatingUnlessFinished(string phase, string expected)
    {
        var pod = Pod("web", status: new PodStatus { Phase = phase });
        pod = pod with { Metadata = pod.Metadata with { DeletionTimestamp = Now } };

        Assert.Equal(expected, PodColumns.Status(pod));
    }

    [Fact]
    public void Status_DeletedOnALostNode_IsUnknown()
    {
        var pod = Pod("web", status: new PodStatus { Phase = "Running", Reason = "NodeLost" });
        pod = pod with { Metadata = pod.Metadata with { DeletionTimestamp = Now } };

        Assert.Equal("Unknown", PodColumns.Status(pod));
    }

    [Theory]
    [InlineData(3, "0/3")]
    [InlineData(2, "1/2")]
    public void Ready_CountsReadyRunningContainersOverTheSpec(int containers, string expected)
    {
        var status = new PodStatus
        {
            Phase = "Running",
            ContainerStatuses = [Running("c0"), Running("c1", ready: false)],
        };
        if (containers == 3)
            status = status with { ContainerStatuses = null };

        Assert.Equal(expected, PodColumns.Ready(Pod("web", containers: containers, status: status)));
    }

    [Fact]
    public void Ready_ReadyButNotRunning_IsNotCounted()
    {
        var waiting = Waiting("c0", "ContainerCreating") with { Ready = true };

        Assert.Equal("0/1", PodColumns.Ready(Pod("web", status: new PodStatus { ContainerStatuses = [waiting] })));
    }

    [Fact]
    public void Restarts_SumsContainersAndShowsTheLastOnesAge()
    {
        var lastExit = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = 1, FinishedAt = Now - TimeSpan.FromSeconds(90) } };
        var status = new PodStatus
        {
            ContainerStatuses = [Running("c0", restarts: 2) with { LastState = lastExit }, Waiting("c1", "CrashLoopBackOff", restarts: 3)],
        };

        Assert.Equal("5 (90s ago)", PodColumns.Restarts(Pod("web", containers: 2, status: status), Now));
    }

    [Fact]
    public void Restarts_WithoutLastState_IsTheSumAlone()
    {
        var status = new PodStatus { ContainerStatuses = [Running("c0", restarts: 4)] };

        Assert.Equal("4", PodColumns.Restarts(Pod("web", status: status), Now));
    }

    [Fact]
    public void Render_Pods_AlignsColumnsAsKubectl()
    {
        var pods = new[]
        {
            Pod("web", status: new PodStatus { Phase = "Running", ContainerStatuses = [Running("c0")] }),
            Pod("database-0", age: TimeSpan.FromSeconds(45), status: new PodStatus { Phase = "Pending", ContainerStatuses = [Waiting("c0", "ContainerCreating")] }),
        };

        var table = ResourceTables.Render(ResourceKinds.Pod, pods, new TableOptions(), Now);

        Assert.Equal(
            """
            NAME         READY   STATUS              RESTARTS   AGE
            web          1/1     Running             0          5m
            database-0   0/1     ContainerCreating   0          45s

            """.ReplaceLineEndings("\n"),
            table);
    }

    [Fact]
    public void Render_WideAcrossNamespaces_AddsNamespaceAndTheWideColumnsAsKubectl()
    {
        var pods = new[]
        {
            Pod("web", "team-a", status: new PodStatus { Phase = "Running", PodIP = "127.1.0.5", ContainerStatuses = [Running("c0")] }, node: "node-1"),
            Pod("job", "default", age: TimeSpan.FromHours(50), status: new PodStatus { Phase = "Pending" }),
        };

        var table = ResourceTables.Render(ResourceKinds.Pod, pods, new TableOptions(Wide: true, WithNamespace: true), Now);

        Assert.Equal(
            """
            NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE    IP          NODE     NOMINATED NODE   READINESS GATES
            team-a      web    1/1     Running   0          5m     127.1.0.5   node-1   <none>           <none>
            default     job    0/1     Pending   0          2d2h   <none>      <none>   <none>           <none>

            """.ReplaceLineEndings("\n"),
            table);
    }
}
