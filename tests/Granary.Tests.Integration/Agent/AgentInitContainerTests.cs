using Granary.Client;
using Granary.Model;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;
using Granary.Printing;
using static Granary.Tests.Integration.Agent.PodStates;

namespace Granary.Tests.Integration.Agent;

/// <summary>Node n5: a private dockerd, redis-server, a silo process and a node agent process, shared by one class.</summary>
public sealed class InitCluster() : AgentClusterFixture("n5", block: 5);

/// <summary>
/// Init containers and sidecars on the real dockerd: run in order before the app, a failure under restartPolicy
/// Never fails the pod, a sidecar runs beside the app and is stopped after it; lifecycle hooks and termination
/// messages on the same node.
/// </summary>
public sealed class AgentInitContainerTests(InitCluster cluster) : IClassFixture<InitCluster>
{
    private GranaryClient Client => cluster.Client;

    private static Container Sh(string name, string script, string? restartPolicy = null) =>
        new() { Name = name, Image = BusyboxImage.Name, Command = ["sh", "-c", script], RestartPolicy = restartPolicy };

    private static Pod WithInit(Pod pod, params Container[] init) => pod with { Spec = pod.Spec with { InitContainers = [.. init] } };

    private static ContainerStatus? InitOf(Pod pod, string name) => pod.Status?.InitContainerStatuses?.FirstOrDefault(c => c.Name == name);

    [Fact]
    public async Task InitContainers_RunInOrderToCompletion_BeforeTheApp()
    {
        // The first init container ends when told (a file made through exec), so the test sees the pod initializing.
        var pod = WithInit(Busybox("init-order", "echo app; while true; do sleep 1; done", gracePeriodSeconds: 1),
            Sh("first", "while [ ! -f /tmp/go ]; do sleep 1; done"), Sh("second", "echo second"));
        var (watch, created) = await cluster.CreateWatchedAsync(pod);
        await using var _ = watch;

        var initializing = await watch.NextAsync(p => InitOf(p, "first")?.State?.Running is not null, "waiting for init container first to run");
        await Client.Pods.ExecAsync(Ns, "init-order", ["touch", "/tmp/go"], container: "first");
        var running = await watch.NextAsync(IsRunningAndReady, "waiting for pod init-order to run once its init containers completed");

        Assert.Equal(("Pending", "Init:0/2"), (initializing.Status!.Phase, PodColumns.Status(initializing)));
        Assert.Equal("PodInitializing", MainOf(initializing)!.State!.Waiting!.Reason);
        Assert.Equal("False", ConditionOf(initializing, "Initialized"));
        var first = InitOf(running, "first")!.State!.Terminated!;
        var second = InitOf(running, "second")!.State!.Terminated!;
        Assert.Equal(("Completed", 0, "Completed", 0), (first.Reason, first.ExitCode, second.Reason, second.ExitCode));
        Assert.True(first.FinishedAt <= second.StartedAt, $"second started before first finished:\n{watch.Describe()}");
        Assert.True(second.FinishedAt <= MainOf(running)!.State!.Running!.StartedAt, $"the app started before the init containers finished:\n{watch.Describe()}");
        Assert.Equal(("True", "True"), (ConditionOf(running, "Initialized"), ConditionOf(running, "PodReadyToStartContainers")));
        Assert.Equal("Running", PodColumns.Status(running));
        var engine = await cluster.ContainersOfAsync(created.Metadata.Uid!);
        Assert.Equal(["first", "main", "second"], engine.Select(c => c.Labels[ContainerLabels.Container]).Order());
        Assert.Equal("docker://" + engine.Single(c => c.Labels[ContainerLabels.Container] == "first").Id, InitOf(running, "first")!.ContainerID);
        Assert.Matches("^docker://sha256:[0-9a-f]{64}$", InitOf(running, "first")!.ImageID);
        await Client.Pods.DeleteAsync(Ns, "init-order");
    }

    [Fact]
    public async Task FailingInitContainer_UnderNever_FailsThePod_AndTheAppNeverRuns()
    {
        var pod = WithInit(Busybox("init-fails", "echo never", restartPolicy: "Never"), Sh("setup", "echo broken >&2; exit 3"));
        var (watch, created) = await cluster.CreateWatchedAsync(pod);
        await using var _ = watch;

        var failed = await watch.NextAsync(p => p.Status?.Phase == "Failed", "waiting for pod init-fails to fail with its init container");

        var setup = InitOf(failed, "setup")!.State!.Terminated!;
        Assert.Equal((3, "Error"), (setup.ExitCode, setup.Reason));
        Assert.Equal("Init:Error", PodColumns.Status(failed));
        Assert.Equal("PodInitializing", MainOf(failed)!.State!.Waiting!.Reason);
        Assert.Equal(["setup"], (await cluster.ContainersOfAsync(created.Metadata.Uid!)).Select(c => c.Labels[ContainerLabels.Container]));
        await Client.Pods.DeleteAsync(Ns, "init-fails");
    }

    [Fact]
    public async Task Sidecar_RunsBesideTheApp_AndIsStoppedWhenTheAppIsDone()
    {
        // The app ends when told (a file made through exec); the sidecar would run for ever.
        var pod = WithInit(Busybox("sidecar", "while [ ! -f /tmp/done ]; do sleep 1; done", restartPolicy: "Never", gracePeriodSeconds: 5),
            Sh("log", "trap \"exit 0\" TERM; while true; do sleep 1; done", restartPolicy: "Always"));
        var (watch, created) = await cluster.CreateWatchedAsync(pod);
        await using var _ = watch;

        var both = await watch.NextAsync(p => MainOf(p)?.State?.Running is not null && InitOf(p, "log")?.State?.Running is not null && PodColumns.Ready(p) == "2/2",
            "waiting for the app and its sidecar to run side by side, both ready");
        await Client.Pods.ExecAsync(Ns, "sidecar", ["touch", "/tmp/done"]);
        var done = await watch.NextAsync(p => p.Status?.Phase == "Succeeded" && InitOf(p, "log")?.State?.Terminated is not null,
            "waiting for pod sidecar to succeed and its sidecar to be stopped");

        Assert.Equal((true, true), (InitOf(both, "log")!.Started, InitOf(both, "log")!.Ready));
        Assert.Equal(0, InitOf(both, "log")!.RestartCount);
        Assert.Equal("Completed", MainOf(done)!.State!.Terminated!.Reason);
        Assert.True(InitOf(done, "log")!.State!.Terminated!.FinishedAt >= MainOf(done)!.State!.Terminated!.FinishedAt,
            $"the sidecar stopped before the app:\n{watch.Describe()}");
        Assert.All(await cluster.ContainersOfAsync(created.Metadata.Uid!), c => Assert.Equal(ContainerRunState.Exited, c.State));
        await Client.Pods.DeleteAsync(Ns, "sidecar");
    }

    [Fact]
    public async Task PreStopHook_RunsBeforeSigterm_OnDeletion()
    {
        // docker-init is PID 1: what the hook writes to its stdout is the container's log, beside the script's own lines.
        var pod = Busybox("prestop", "trap \"echo got TERM; exit 0\" TERM; echo started; while true; do sleep 1; done", gracePeriodSeconds: 20,
            container: c => c with { Lifecycle = new Lifecycle { PreStop = new LifecycleHandler { Exec = new ExecAction { Command = ["sh", "-c", "echo prestop > /proc/1/fd/1"] } } } });
        var (watch, created) = await cluster.CreateWatchedAsync(pod);
        await using var _ = watch;
        await watch.NextAsync(IsRunningAndReady, "waiting for pod prestop to run");
        var container = Assert.Single(await cluster.ContainersOfAsync(created.Metadata.Uid!));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var log = cluster.FollowLogAsync(container.Id, cts.Token);

        await Client.Pods.DeleteAsync(Ns, "prestop");
        await watch.DeletedAsync("waiting for pod prestop to be deleted once its preStop hook ran and its container stopped");

        Assert.Equal(["started", "prestop", "got TERM"], await log.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task TerminationMessage_FromTheFile_AndFromTheLogOnError()
    {
        var (fileWatch, _) = await cluster.CreateWatchedAsync(Busybox("message-file", "printf 'disk full' > /dev/termination-log; exit 3", restartPolicy: "Never"));
        await using var _ = fileWatch;
        var (logWatch, _) = await cluster.CreateWatchedAsync(Busybox("message-log", "echo first; echo oops; exit 2", restartPolicy: "Never",
            container: c => c with { TerminationMessagePolicy = "FallbackToLogsOnError" }));
        await using var __ = logWatch;

        var fromFile = await fileWatch.NextAsync(p => MainOf(p)?.State?.Terminated?.Message is not null, "waiting for pod message-file to end with its message");
        var fromLog = await logWatch.NextAsync(p => MainOf(p)?.State?.Terminated?.Message is not null, "waiting for pod message-log to end with its log's tail");

        Assert.Equal(("disk full", 3), (MainOf(fromFile)!.State!.Terminated!.Message, MainOf(fromFile)!.State!.Terminated!.ExitCode));
        Assert.Equal("first\noops", MainOf(fromLog)!.State!.Terminated!.Message);
        await Client.Pods.DeleteAsync(Ns, "message-file");
        await Client.Pods.DeleteAsync(Ns, "message-log");
    }

    [Fact]
    public async Task FailingPostStartHook_KillsTheContainer_WhichIsRestarted()
    {
        var pod = Busybox("poststart", "while true; do sleep 1; done", gracePeriodSeconds: 1,
            container: c => c with { Lifecycle = new Lifecycle { PostStart = new LifecycleHandler { Exec = new ExecAction { Command = ["sh", "-c", "exit 7"] } } } });
        var (watch, _) = await cluster.CreateWatchedAsync(pod);
        await using var _ = watch;

        var restarted = await watch.NextAsync(p => MainOf(p)?.RestartCount >= 1, "waiting for pod poststart's container to be killed by its failing hook and restarted");

        Assert.NotNull(MainOf(restarted)!.LastState!.Terminated);
        await Client.Pods.DeleteAsync(Ns, "poststart");
    }
}
