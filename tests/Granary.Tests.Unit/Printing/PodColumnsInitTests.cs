using Granary.Model;
using Granary.Printing;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Printing;

/// <summary>STATUS, READY and RESTARTS of pods with init containers and sidecars, as kubectl's printPod shows them.</summary>
public class PodColumnsInitTests
{
    private static readonly PodCondition Initialized = new() { Type = "Initialized", Status = "True" };
    private static readonly PodCondition NotInitialized = new() { Type = "Initialized", Status = "False" };
    private static ContainerStatus PodInitializing(string name) => Waiting(name, "PodInitializing");

    /// <summary>A pod with two init containers (the second a sidecar when <paramref name="sidecar"/>) and one app container.</summary>
    private static Pod WithInit(PodStatus status, bool sidecar = false)
    {
        var pod = Pod("web", containers: 1, status: status);
        return pod with
        {
            Spec = pod.Spec with
            {
                InitContainers = [new Container { Name = "i0", Image = "x" }, new Container { Name = "i1", Image = "x", RestartPolicy = sidecar ? "Always" : null }],
            },
        };
    }

    public static TheoryData<string, PodStatus, string> StatusCases => new()
    {
        { "nothing ran yet", new PodStatus { Phase = "Pending", Conditions = [NotInitialized], InitContainerStatuses = [PodInitializing("i0"), PodInitializing("i1")], ContainerStatuses = [PodInitializing("c0")] }, "Init:0/2" },
        { "first running", new PodStatus { Phase = "Pending", Conditions = [NotInitialized], InitContainerStatuses = [Running("i0"), PodInitializing("i1")], ContainerStatuses = [PodInitializing("c0")] }, "Init:0/2" },
        { "first done", new PodStatus { Phase = "Pending", Conditions = [NotInitialized], InitContainerStatuses = [Terminated("i0", 0, "Completed"), Running("i1")], ContainerStatuses = [PodInitializing("c0")] }, "Init:1/2" },
        { "first failed", new PodStatus { Phase = "Failed", Conditions = [NotInitialized], InitContainerStatuses = [Terminated("i0", 1, "Error"), PodInitializing("i1")], ContainerStatuses = [PodInitializing("c0")] }, "Init:Error" },
        { "first failed without reason", new PodStatus { Phase = "Pending", Conditions = [NotInitialized], InitContainerStatuses = [Terminated("i0", 3), PodInitializing("i1")], ContainerStatuses = [PodInitializing("c0")] }, "Init:ExitCode:3" },
        { "first crash-looping", new PodStatus { Phase = "Pending", Conditions = [NotInitialized], InitContainerStatuses = [Waiting("i0", "CrashLoopBackOff", restarts: 2), PodInitializing("i1")], ContainerStatuses = [PodInitializing("c0")] }, "Init:CrashLoopBackOff" },
        { "image pull failed", new PodStatus { Phase = "Pending", Conditions = [NotInitialized], InitContainerStatuses = [Waiting("i0", "ErrImagePull"), PodInitializing("i1")], ContainerStatuses = [PodInitializing("c0")] }, "Init:ErrImagePull" },
        { "all done, app not started", new PodStatus { Phase = "Pending", Conditions = [Initialized], InitContainerStatuses = [Terminated("i0", 0, "Completed"), Terminated("i1", 0, "Completed")], ContainerStatuses = [PodInitializing("c0")] }, "PodInitializing" },
        { "all done, app running", new PodStatus { Phase = "Running", Conditions = [Initialized], InitContainerStatuses = [Terminated("i0", 0, "Completed"), Terminated("i1", 0, "Completed")], ContainerStatuses = [Running("c0")] }, "Running" },
        { "initialized, app crash-looping: the app's reason", new PodStatus { Phase = "Running", Conditions = [Initialized], InitContainerStatuses = [Terminated("i0", 0, "Completed"), Terminated("i1", 0, "Completed")], ContainerStatuses = [Waiting("c0", "CrashLoopBackOff")] }, "CrashLoopBackOff" },
    };

    [Theory]
    [MemberData(nameof(StatusCases))]
    public void Status_WithInitContainers_FollowsKubectl(string because, PodStatus status, string expected)
    {
        Assert.True(expected == PodColumns.Status(WithInit(status)), $"{because}: {PodColumns.Status(WithInit(status))}");
    }

    [Fact]
    public void Status_SidecarStarted_CountsAsDone()
    {
        var starting = new PodStatus
        {
            Phase = "Pending", Conditions = [NotInitialized],
            InitContainerStatuses = [Terminated("i0", 0, "Completed"), Running("i1") with { Started = false }], ContainerStatuses = [PodInitializing("c0")],
        };
        var started = starting with
        {
            Phase = "Running",
            Conditions = [Initialized],
            InitContainerStatuses = [Terminated("i0", 0, "Completed"), Running("i1") with { Started = true }], ContainerStatuses = [Running("c0")],
        };

        Assert.Equal("Init:1/2", PodColumns.Status(WithInit(starting, sidecar: true)));
        Assert.Equal("Running", PodColumns.Status(WithInit(started, sidecar: true)));
    }

    [Fact]
    public void Ready_CountsReadySidecars()
    {
        var status = new PodStatus
        {
            Phase = "Running", Conditions = [Initialized],
            InitContainerStatuses = [Terminated("i0", 0, "Completed"), Running("i1") with { Started = true }], ContainerStatuses = [Running("c0")],
        };

        Assert.Equal("2/2", PodColumns.Ready(WithInit(status, sidecar: true)));
        Assert.Equal("1/1", PodColumns.Ready(WithInit(status)));
    }

    [Fact]
    public void Restarts_WhileInitializing_AreTheInitContainers()
    {
        var status = new PodStatus
        {
            Phase = "Pending", Conditions = [NotInitialized],
            InitContainerStatuses = [Waiting("i0", "CrashLoopBackOff", restarts: 3), PodInitializing("i1")], ContainerStatuses = [PodInitializing("c0")],
        };

        Assert.Equal("3", PodColumns.Restarts(WithInit(status), Now));
    }
}
