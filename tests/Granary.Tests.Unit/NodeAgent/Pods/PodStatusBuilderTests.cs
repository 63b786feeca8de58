using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Pods.Sync;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Volumes;
using static Granary.Tests.Unit.NodeAgent.Pods.Sync.PodFixtures;

namespace Granary.Tests.Unit.NodeAgent.Pods;

/// <summary>The status the agent writes, field by field, as the kubelet writes it.</summary>
public class PodStatusBuilderTests
{
    private static readonly PodSandbox Sandbox = new("127.1.1.7", "127.0.0.11", PodVolumes.None);
    private static readonly Container Init = Web() with { Name = "init", Command = ["true"] };
    private static readonly Container Side = Web() with { Name = "side", RestartPolicy = "Always" };

    private static ContainerInfo Imaged(ContainerInfo c) => c with { ImageRef = "docker://sha256:" + new string('a', 64) };

    private static ContainerObservation Observed(Container spec, ContainerInfo? current, bool ready = false, ContainerStateWaiting? waiting = null,
        ContainerInfo? previous = null) =>
        new(spec.Name, current is null ? null : Imaged(current), previous, waiting, ready, Started: current?.State == ContainerRunState.Running, spec.Image ?? "");

    private static PodStatus Build(Pod pod, IReadOnlyList<ContainerObservation> containers, IReadOnlyList<ContainerObservation>? init = null,
        bool initialized = true, PodStatus? previous = null, PodFailure? failure = null) =>
        PodStatusBuilder.Build(pod, new PodObservation(containers, init ?? [], initialized, Sandbox, failure), "docker", previous ?? pod.Status, T0);

    [Fact]
    public void Build_RunningPod_HasTheKubeletsFields()
    {
        var pod = PodOf() with { Status = new PodStatus { QosClass = "BestEffort" } };
        var running = Instance(Web(), 0, ContainerRunState.Running);

        var status = Build(pod, [Observed(Web(), running, ready: true)]);

        var web = Assert.Single(status.ContainerStatuses!);
        Assert.Equal(("Running", "BestEffort"), (status.Phase, status.QosClass));
        Assert.Equal(("127.1.1.7", "127.0.0.11"), (status.PodIP, status.HostIP));
        Assert.Equal(["127.1.1.7"], status.PodIPs!.Select(p => p.Ip));
        Assert.Equal(["127.0.0.11"], status.HostIPs!.Select(h => h.Ip));
        Assert.Equal("docker://web-0", web.ContainerID);
        Assert.Equal("docker://sha256:" + new string('a', 64), web.ImageID);
        Assert.Equal((Image, true, true, 0), (web.Image, web.Ready, web.Started, web.RestartCount));
        Assert.NotNull(web.LastState);
        Assert.Null(web.LastState.Terminated);
        Assert.Equal(
            ["PodReadyToStartContainers:True", "Initialized:True", "Ready:True", "ContainersReady:True"],
            status.Conditions!.Select(c => $"{c.Type}:{c.Status}"));
        Assert.Null(status.InitContainerStatuses);
    }

    [Fact]
    public void Build_Waiting_HasAnEmptyImageIdAndNoContainerId()
    {
        var status = Build(PodOf(), [Observed(Web(), null, waiting: new ContainerStateWaiting { Reason = "ErrImagePull", Message = "no" })]);

        var web = status.ContainerStatuses![0];
        Assert.Equal(("", null, "ErrImagePull"), (web.ImageID, web.ContainerID, web.State!.Waiting!.Reason));
        Assert.Equal("Pending", status.Phase);
        Assert.Equal(("ContainersNotReady", "containers with unready status: [web]"),
            (status.Conditions!.Single(c => c.Type == "Ready").Reason, status.Conditions!.Single(c => c.Type == "Ready").Message));
    }

    [Fact]
    public void Build_InitContainerRunning_IsPendingAndNotInitialized()
    {
        var pod = PodOf() with { Spec = PodOf().Spec with { InitContainers = [Init] } };

        var status = Build(pod, [Observed(Web(), null, waiting: new ContainerStateWaiting { Reason = "PodInitializing" })],
            [Observed(Init, Instance(Init, 0, ContainerRunState.Running))], initialized: false);

        Assert.Equal("Pending", status.Phase);
        var initialized = status.Conditions!.Single(c => c.Type == "Initialized");
        Assert.Equal(("False", "ContainersNotInitialized", "containers with incomplete status: [init]"), (initialized.Status, initialized.Reason, initialized.Message));
        Assert.Equal("docker://init-0", Assert.Single(status.InitContainerStatuses!).ContainerID);
    }

    [Theory]
    [InlineData("Never", "Failed")]
    [InlineData("OnFailure", "Pending")]
    [InlineData("Always", "Pending")]
    public void Build_InitContainerFailed_FailsThePodOnlyUnderNever(string restartPolicy, string phase)
    {
        var pod = PodOf(restartPolicy) with { Spec = PodOf(restartPolicy).Spec with { InitContainers = [Init] } };

        var status = Build(pod, [Observed(Web(), null, waiting: new ContainerStateWaiting { Reason = "PodInitializing" })],
            [Observed(Init, Instance(Init, 0, ContainerRunState.Exited, exitCode: 1))], initialized: false);

        Assert.Equal(phase, status.Phase);
        Assert.Equal((1, "Error"), (status.InitContainerStatuses![0].State!.Terminated!.ExitCode, status.InitContainerStatuses[0].State!.Terminated!.Reason));
    }

    [Fact]
    public void Build_SidecarNotReady_HoldsReadiness()
    {
        var pod = PodOf() with { Spec = PodOf().Spec with { InitContainers = [Side] } };

        var status = Build(pod, [Observed(Web(), Instance(Web(), 0, ContainerRunState.Running), ready: true)],
            [Observed(Side, Instance(Side, 0, ContainerRunState.Running), ready: false)]);

        Assert.Equal("Running", status.Phase);
        Assert.Equal(("False", "containers with unready status: [side]"),
            (status.Conditions!.Single(c => c.Type == "ContainersReady").Status, status.Conditions!.Single(c => c.Type == "ContainersReady").Message));
    }

    [Fact]
    public void Build_DeadlineExceeded_FailsWithTheReason()
    {
        var status = Build(PodOf(), [Observed(Web(), Instance(Web(), 0, ContainerRunState.Running))],
            failure: new PodFailure("DeadlineExceeded", "Pod was active on the node longer than the specified deadline"));

        Assert.Equal(("Failed", "DeadlineExceeded"), (status.Phase, status.Reason));
    }

    [Fact]
    public void Build_TerminationMessage_IsTheTerminatedMessage()
    {
        var exited = Instance(Web(), 0, ContainerRunState.Exited, exitCode: 3) with { Error = "engine says" };
        var observation = Observed(Web(), exited) with { Messages = ImmutableDictionary<string, string>.Empty.Add("web-0", "disk full") };

        var status = Build(PodOf("Never"), [observation]);

        Assert.Equal("disk full", status.ContainerStatuses![0].State!.Terminated!.Message);
        Assert.Equal("engine says", Build(PodOf("Never"), [Observed(Web(), exited)]).ContainerStatuses![0].State!.Terminated!.Message);
    }

    [Fact]
    public void Build_ConditionTimes_ChangeOnlyOnTransition()
    {
        var previous = Build(PodOf(), [Observed(Web(), Instance(Web(), 0, ContainerRunState.Running), ready: false)]);

        var later = PodStatusBuilder.Build(PodOf(), new PodObservation([Observed(Web(), Instance(Web(), 0, ContainerRunState.Running), ready: true)], [], true, Sandbox),
            "docker", previous, T0 + TimeSpan.FromMinutes(1));

        Assert.Equal(T0, later.Conditions!.Single(c => c.Type == "Initialized").LastTransitionTime);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), later.Conditions!.Single(c => c.Type == "Ready").LastTransitionTime);
    }
}
