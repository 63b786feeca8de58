using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Pods.Sync;
using Granary.NodeAgent.Runtime;
using static Granary.Tests.Unit.NodeAgent.Pods.Sync.PodFixtures;

namespace Granary.Tests.Unit.NodeAgent.Pods.Sync;

/// <summary>The planner's decisions, table by table, in the manner of the kubelet's TestComputePodActions.</summary>
public class PodActionsPlannerTests
{
    public sealed record Case(string Name, PodSyncInput Input, string[] Actions, string? Waiting)
    {
        public override string ToString() => Name;
    }

    private static readonly Container Spec = Web();
    private static readonly Container OldSpec = Web() with { Command = ["sleep", "60"] };
    private static readonly ContainerInfo Running0 = Instance(Spec, 0, ContainerRunState.Running);
    private static readonly ContainerInfo Exited0Ok = Instance(Spec, 0, ContainerRunState.Exited, exitCode: 0);
    private static readonly ContainerInfo Exited0Err = Instance(Spec, 0, ContainerRunState.Exited, exitCode: 1);
    private static readonly ContainerInfo Exited1Err = Instance(Spec, 1, ContainerRunState.Exited, exitCode: 1);
    private static readonly ContainerInfo Exited2Err = Instance(Spec, 2, ContainerRunState.Exited, exitCode: 1);
    // The back-off after attempt 1's failure, of a run of one second: 10 s, from T0 - 1 s.
    private static readonly PodMemory BackingOff = PodMemory.Empty with
    {
        Restarts = ImmutableDictionary<string, RestartBackoff>.Empty.Add("web", new RestartBackoff(T0 - TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10))),
    };
    private static readonly PodMemory PullFailedJustNow = PodMemory.Empty with
    {
        PullFailures = ImmutableDictionary<string, PullFailure>.Empty.Add("web",
            new PullFailure(new RestartBackoff(T0 - TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), "manifest unknown")),
    };

    public static TheoryData<Case> Cases() =>
    [
        new("fresh pod, image present: create attempt 0",
            Input(PodOf()), ["start web#0"], null),
        new("fresh pod, image missing, IfNotPresent: pull then create",
            Input(PodOf("Always", Web("IfNotPresent")), present: []), ["start web#0 pull"], null),
        new("fresh pod, image missing, no policy: pull then create",
            Input(PodOf(), present: []), ["start web#0 pull"], null),
        new("fresh pod, image missing, Never: wait, reported once",
            Input(PodOf("Always", Web("Never")), present: []), ["report web NeverPull never"], PodReasons.ErrImageNeverPull),
        new("fresh pod, image missing, Never, already reported: wait quietly",
            Input(PodOf("Always", Web("Never")), present: [], memory: PodMemory.Empty with
            {
                Reported = ImmutableDictionary<ReportKey, string>.Empty.Add(new ReportKey("web", ReportTopic.Image), "never"),
            }), [], PodReasons.ErrImageNeverPull),
        new("fresh pod, image present, Never: create",
            Input(PodOf("Always", Web("Never"))), ["start web#0"], null),
        new("fresh pod, image present, pull policy Always: pull anyway (the pod's own credentials)",
            Input(PodOf("Always", Web("Always"))), ["start web#0 pull"], null),
        new("image present, Always, pull back-off pending: ImagePullBackOff",
            Input(PodOf("Always", Web("Always")), memory: PullFailedJustNow), ["report web PullBackOff backoff"], PodReasons.ImagePullBackOff),
        new("image pull back-off pending: ImagePullBackOff",
            Input(PodOf(), present: [], memory: PullFailedJustNow), ["report web PullBackOff backoff"], PodReasons.ImagePullBackOff),
        new("image pull back-off elapsed: pull again",
            Input(PodOf(), present: [], memory: PullFailedJustNow, now: T0 + TimeSpan.FromSeconds(9)), ["start web#0 pull"], null),
        new("running and live: nothing",
            Input(PodOf(), [Running0], probes: [Probe(Running0)]), [], null),
        new("running without probe results: nothing",
            Input(PodOf(), [Running0]), [], null),
        new("running, liveness failed: kill",
            Input(PodOf(), [Running0], probes: [Probe(Running0, live: false, failure: "HTTP probe failed with statuscode: 500")]),
            ["kill web-0 LivenessFailed"], null),
        new("running, liveness failed, kill under way: nothing more",
            Input(PodOf(), [Running0], probes: [Probe(Running0, live: false)], memory: PodMemory.Empty with { Killing = ["web-0"] }), [], null),
        new("running, spec hash changed: kill",
            Input(PodOf(), [Instance(Spec, 0, ContainerRunState.Running, hashOf: OldSpec)]), ["kill web-0 SpecChanged"], null),
        new("created, never started: start it",
            Input(PodOf(), [Instance(Spec, 0, ContainerRunState.Created)]), ["start-created web-0"], null),
        new("exited 0, Always: restart at once (first failure)",
            Input(PodOf("Always"), [Exited0Ok]), ["start web#1 after web-0"], null),
        new("exited 1, Always, image gone: pull before restarting",
            Input(PodOf("Always"), [Exited0Err], present: []), ["start web#1 pull after web-0"], null),
        new("exited 1, OnFailure: restart",
            Input(PodOf("OnFailure"), [Exited0Err]), ["start web#1 after web-0"], null),
        new("exited 0, OnFailure: done",
            Input(PodOf("OnFailure"), [Exited0Ok]), [], null),
        new("exited 1, Never: done",
            Input(PodOf("Never"), [Exited0Err]), [], null),
        new("exited 0, Never, spec changed: a new container all the same",
            Input(PodOf("Never"), [Instance(Spec, 0, ContainerRunState.Exited, exitCode: 0, hashOf: OldSpec)]), ["start web#1 after web-0"], null),
        new("exited again, back-off pending: CrashLoopBackOff, reported once for this exit",
            Input(PodOf(), [Exited2Err, Exited1Err], memory: BackingOff, now: T0 + TimeSpan.FromSeconds(5)),
            ["report web CrashLoopBackOff web-2"], PodReasons.CrashLoopBackOff),
        new("back-off pending, already reported for this exit: wait quietly",
            Input(PodOf(), [Exited2Err, Exited1Err], now: T0 + TimeSpan.FromSeconds(5), memory: BackingOff with
            {
                Reported = ImmutableDictionary<ReportKey, string>.Empty.Add(new ReportKey("web", ReportTopic.Backoff), "web-2"),
            }), [], PodReasons.CrashLoopBackOff),
        new("back-off elapsed: restart, keep the last exit, remove older ones",
            Input(PodOf(), [Exited2Err, Exited1Err, Exited0Err], memory: BackingOff, now: T0 + TimeSpan.FromMinutes(1)),
            ["start web#3 after web-2", "remove web-1", "remove web-0"], null),
        new("pod being deleted: terminate with every instance",
            Input(PodOf() with { Metadata = PodOf().Metadata with { DeletionTimestamp = T0 + TimeSpan.FromSeconds(30) } }, [Running0, Exited1Err]),
            ["terminate web-0,web-1"], null),
        new("pod being deleted, termination under way: nothing",
            Input(PodOf() with { Metadata = PodOf().Metadata with { DeletionTimestamp = T0 } }, [Running0], memory: PodMemory.Empty with { Terminating = true }),
            [], null),
        new("finished pod (Succeeded), Always, exited: never restarted",
            Input(PodOf(), [Exited0Ok], memory: PodMemory.Empty with { LastStatus = new PodStatus { Phase = PodReasons.Succeeded } }), [], null),
        new("finished pod by the control plane's status: never restarted",
            Input(PodOf() with { Status = new PodStatus { Phase = PodReasons.Failed } }, [Exited0Err]), [], null),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_Table(Case c)
    {
        var plan = PodActionsPlanner.Plan(c.Input);

        Assert.Equal(c.Actions, Describe(plan));
        Assert.Equal(c.Waiting, plan.Containers.SingleOrDefault()?.Waiting?.Reason);
    }

    [Fact]
    public void Plan_CrashLoop_WaitingMessageReadsLikeTheKubelets()
    {
        var plan = PodActionsPlanner.Plan(Input(PodOf(), [Exited2Err, Exited1Err], memory: BackingOff, now: T0 + TimeSpan.FromSeconds(5)));

        Assert.Equal($"back-off 10s restarting failed container=web pod=web-0_shop({Uid})", plan.Containers[0].Waiting!.Message);
    }

    [Fact]
    public void Plan_PullBackOff_WaitingMessageCarriesTheLastPullError()
    {
        var plan = PodActionsPlanner.Plan(Input(PodOf(), present: [], memory: PullFailedJustNow));

        Assert.Equal($"Back-off pulling image \"{Image}\": manifest unknown", plan.Containers[0].Waiting!.Message);
    }

    [Fact]
    public void Plan_ExitSeen_RemembersTheBackOffForThatExit()
    {
        var exited1 = Instance(Spec, 1, ContainerRunState.Exited, exitCode: 1, startedAt: T0, finishedAt: T0 + TimeSpan.FromSeconds(1));
        var first = PodActionsPlanner.Plan(Input(PodOf(), [Exited0Err]));
        var second = PodActionsPlanner.Plan(Input(PodOf(), [exited1, Exited0Err], memory: PodMemory.Empty with { Restarts = first.Restarts },
            now: T0 + TimeSpan.FromSeconds(1)));
        var again = PodActionsPlanner.Plan(Input(PodOf(), [exited1, Exited0Err], memory: PodMemory.Empty with { Restarts = second.Restarts },
            now: T0 + TimeSpan.FromSeconds(2)));

        Assert.Equal(new RestartBackoff(Exited0Err.FinishedAt!.Value, TimeSpan.Zero), first.Restarts["web"]);
        Assert.Equal(TimeSpan.FromSeconds(10), second.Restarts["web"].Delay);
        Assert.Equal(second.Restarts, again.Restarts);
    }

    [Fact]
    public void Plan_Restart_ObservationShowsTheEndedInstanceAsPrevious()
    {
        var plan = PodActionsPlanner.Plan(Input(PodOf(), [Exited1Err, Exited0Err]));

        Assert.Equal("web-1", plan.Containers[0].Previous!.Id);
    }

    [Fact]
    public void Plan_Running_ReadyAndStartedFollowTheProbes()
    {
        var notReady = PodActionsPlanner.Plan(Input(PodOf(), [Running0], probes: [Probe(Running0, ready: false, started: true)]));
        var ready = PodActionsPlanner.Plan(Input(PodOf(), [Running0], probes: [Probe(Running0)]));

        Assert.Equal((false, true), (notReady.Containers[0].Ready, notReady.Containers[0].Started));
        Assert.Equal((true, true), (ready.Containers[0].Ready, ready.Containers[0].Started));
    }

    [Fact]
    public void Plan_BeingDeleted_ReportsNoStatus()
    {
        var plan = PodActionsPlanner.Plan(Input(PodOf() with { Metadata = PodOf().Metadata with { DeletionTimestamp = T0 } }, [Running0]));

        Assert.False(plan.ReportStatus);
        Assert.Empty(plan.Containers);
    }

    [Fact]
    public void ImagesToCheck_OnlyThoseThatMayBeCreated()
    {
        var sidecar = Web() with { Name = "log", Image = "local/log:1" };
        var pod = PodOf("Always", Spec, sidecar);

        Assert.Equal([Image, "local/log:1"], PodActionsPlanner.ImagesToCheck(pod, []).Order());
        Assert.Equal(["local/log:1"], PodActionsPlanner.ImagesToCheck(pod, [Running0]));
        Assert.Equal([Image, "local/log:1"], PodActionsPlanner.ImagesToCheck(pod, [Exited0Err]).Order());
    }
}
