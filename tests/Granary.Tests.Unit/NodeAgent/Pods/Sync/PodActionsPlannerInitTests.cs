using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Pods.Sync;
using Granary.NodeAgent.Runtime;
using static Granary.Tests.Unit.NodeAgent.Pods.Sync.PodFixtures;

namespace Granary.Tests.Unit.NodeAgent.Pods.Sync;

/// <summary>The planner with init containers and sidecars, table by table.</summary>
public class PodActionsPlannerInitTests
{
    public sealed record Case(string Name, PodSyncInput Input, string[] Actions, bool Initialized, string? InitWaiting = null, string? AppWaiting = null)
    {
        public override string ToString() => Name;
    }

    private static readonly Container InitA = Web() with { Name = "init-a", Command = ["true"] };
    private static readonly Container InitB = Web() with { Name = "init-b", Command = ["true"] };
    private static readonly Container Side = Web() with { Name = "side", RestartPolicy = "Always" };

    private static Pod WithInit(string restartPolicy = "Always", params Container[] init)
    {
        var pod = PodOf(restartPolicy);
        return pod with { Spec = pod.Spec with { InitContainers = init.Length == 0 ? [InitA, InitB] : [.. init] } };
    }

    private static ContainerInfo Done(Container spec, int attempt = 0) => Instance(spec, attempt, ContainerRunState.Exited, exitCode: 0);
    private static ContainerInfo Failed(Container spec, int attempt = 0) => Instance(spec, attempt, ContainerRunState.Exited, exitCode: 1);
    private static ContainerInfo Running(Container spec, int attempt = 0) => Instance(spec, attempt, ContainerRunState.Running);

    private static readonly PodMemory InitBackingOff = PodMemory.Empty with
    {
        Restarts = ImmutableDictionary<string, RestartBackoff>.Empty.Add("init-a", new RestartBackoff(T0 - TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10))),
    };

    private static readonly PodStatus InitializedBefore = new()
    {
        Phase = PodReasons.Running,
        Conditions = [new PodCondition { Type = PodReasons.Initialized, Status = "True" }],
    };

    public static TheoryData<Case> Cases() =>
    [
        new("fresh pod: the first init container only",
            Input(WithInit()), ["start init-a#0"], false, null, PodReasons.PodInitializing),
        new("first init container running: wait for it",
            Input(WithInit(), [Running(InitA)]), [], false, null, PodReasons.PodInitializing),
        new("first done: the second",
            Input(WithInit(), [Done(InitA)]), ["start init-b#0"], false, null, PodReasons.PodInitializing),
        new("both done: the app containers",
            Input(WithInit(), [Done(InitA), Done(InitB)]), ["start web#0"], true),
        new("first failed, Never: nothing more (the pod fails)",
            Input(WithInit("Never"), [Failed(InitA)]), [], false, null, PodReasons.PodInitializing),
        new("first failed, Always: restarted at once after a first failure",
            Input(WithInit("Always"), [Failed(InitA)]), ["start init-a#1 after init-a-0"], false, null, PodReasons.PodInitializing),
        new("first failed, OnFailure, back-off pending: CrashLoopBackOff",
            Input(WithInit("OnFailure"), [Failed(InitA, 1), Failed(InitA)], memory: InitBackingOff, now: T0 + TimeSpan.FromSeconds(5)),
            ["report init-a CrashLoopBackOff init-a-1"], false, PodReasons.CrashLoopBackOff, PodReasons.PodInitializing),
        new("initialized before, init instances gone: the app containers, no init again",
            Input(WithInit() with { Status = InitializedBefore }), ["start web#0"], true),
        new("sidecar first: started, holds what follows",
            Input(WithInit("Never", Side, InitA)), ["start side#0"], false, null, PodReasons.PodInitializing),
        new("sidecar running, startup not passed: wait",
            Input(WithInit("Never", Side, InitA), [Running(Side)], probes: [Probe(Running(Side), started: false)]), [], false, null, PodReasons.PodInitializing),
        new("sidecar started: the next init container",
            Input(WithInit("Never", Side, InitA), [Running(Side)], probes: [Probe(Running(Side))]), ["start init-a#0"], false, null, PodReasons.PodInitializing),
        new("sidecar started, init done: the app containers",
            Input(WithInit("Never", Side, InitA), [Running(Side), Done(InitA)], probes: [Probe(Running(Side))]), ["start web#0"], true),
        new("sidecar exited beside the app, pod Never: restarted all the same",
            Input(WithInit("Never", Side, InitA) with { Status = InitializedBefore }, [Failed(Side), Done(InitA), Running(Web())]),
            ["start side#1 after side-0"], true),
        new("sidecar failed its liveness probe: killed",
            Input(WithInit("Never", Side) with { Status = InitializedBefore }, [Running(Side), Running(Web())], probes: [Probe(Running(Side), live: false)]),
            ["kill side-0 LivenessFailed"], true),
        new("pod finished with its sidecar still running: the sidecar is stopped",
            Input(WithInit("Never", Side) with { Status = InitializedBefore with { Phase = PodReasons.Succeeded } }, [Running(Side), Done(Web())]),
            ["kill side-0 PodFinished"], true),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_InitContainers(Case c)
    {
        var plan = PodActionsPlanner.Plan(c.Input);

        Assert.Equal(c.Actions, Describe(plan));
        Assert.Equal(c.Initialized, plan.Initialized);
        Assert.Equal(c.InitWaiting, plan.InitContainers[0].Waiting?.Reason);
        Assert.Equal(c.AppWaiting, plan.Containers[0].Waiting?.Reason);
    }

    [Fact]
    public void Plan_InitContainersNotYetRun_ArePodInitializing()
    {
        var plan = PodActionsPlanner.Plan(Input(WithInit()));

        Assert.Equal([null, PodReasons.PodInitializing], plan.InitContainers.Select(o => o.Waiting?.Reason));
    }

    [Fact]
    public void ImagesToCheck_IncludesInitContainers()
    {
        var pod = WithInit("Always", InitA with { Image = "local/init:1" });

        Assert.Equal(["local/busybox:1", "local/init:1"], PodActionsPlanner.ImagesToCheck(pod, []).Order());
    }
}
