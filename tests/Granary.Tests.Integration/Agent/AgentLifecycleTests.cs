using System.Globalization;
using System.Net;
using Granary.Api;
using Granary.Client;
using Granary.Model;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;
using Granary.Tests.Integration.Infrastructure;
using static Granary.Tests.Integration.Agent.PodStates;

namespace Granary.Tests.Integration.Agent;

/// <summary>Node n1: a private dockerd, redis-server, a silo process and a node agent process, shared by one class.</summary>
public sealed class LifecycleCluster() : AgentClusterFixture("n1", block: 1);

/// <summary>
/// The node agent as a user meets it, all real processes: the node it registers, pods it runs in dockerd,
/// their status, logs and exec through the SDK and the CLI, probes, restart policies, image errors and deletion.
/// Each test has pods of its own names; every wait is a watch on the pod (a barrier) with a bounded timeout.
/// </summary>
public sealed class AgentLifecycleTests(LifecycleCluster cluster) : IClassFixture<LifecycleCluster>
{
    /// <summary>Prints its address and node, then idles; on SIGTERM it says so and exits 0.</summary>
    private const string HelloScript = "echo hello $POD_IP $MY_NODE; trap \"echo got TERM; exit 0\" TERM; while true; do sleep 1; done";

    private GranaryClient Client => cluster.Client;

    private static Pod HelloPod(string name) => Busybox(name, HelloScript, container: c => c with
    {
        Env = [new EnvVar { Name = "MY_NODE", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "spec.nodeName" } } }],
    });

    [Fact]
    public async Task Node_RegistersReady_WithHostCapacityAddressAndVersions()
    {
        var node = await Client.Nodes.GetAsync(null, cluster.NodeName);

        var status = node.Status!;
        Assert.Equal("True", Assert.Single(status.Conditions!, c => c.Type == "Ready").Status);
        Assert.Equal(Environment.ProcessorCount * 1000L, status.Capacity!["cpu"].MilliValue);
        Assert.True(status.Capacity["memory"].Value > 0, $"capacity memory {status.Capacity["memory"]}");
        Assert.Equal(110, status.Capacity["pods"].Value);
        Assert.Equal(status.Capacity["cpu"].MilliValue, status.Allocatable!["cpu"].MilliValue);
        Assert.Equal(status.Capacity["memory"].Value, status.Allocatable["memory"].Value);
        Assert.Equal(110, status.Allocatable["pods"].Value);
        Assert.Equal(cluster.NodeIp, Assert.Single(status.Addresses!, a => a.Type == "InternalIP").Address);
        Assert.StartsWith("docker://", status.NodeInfo!.ContainerRuntimeVersion, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(status.NodeInfo.KubeletVersion), "nodeInfo.kubeletVersion is empty");
    }

    [Fact]
    public async Task Pod_Runs_WithFullStatus_InALabelledContainer()
    {
        var (watch, created) = await cluster.CreateWatchedAsync(HelloPod("hello"));
        await using var _ = watch;

        var pod = await watch.NextAsync(IsRunningAndReady, "waiting for pod hello to run and be ready");

        var status = pod.Status!;
        var main = MainOf(pod)!;
        Assert.Equal(cluster.NodeName, pod.Spec.NodeName);
        Assert.Equal("Running", status.Phase);
        Assert.Equal("True", ConditionOf(pod, "ContainersReady"));
        Assert.Equal((true, true, 0), (main.Ready, main.Started, main.RestartCount));
        Assert.NotNull(main.State!.Running!.StartedAt);
        Assert.NotNull(status.StartTime);
        Assert.Equal(cluster.NodeIp, status.HostIP);
        AssertInPodCidr(status.PodIP);
        Assert.Equal([status.PodIP], status.PodIPs!.Select(p => p.Ip));
        Assert.Equal([status.HostIP], status.HostIPs!.Select(h => h.Ip));
        Assert.Equal("True", ConditionOf(pod, "PodReadyToStartContainers"));

        var container = Assert.Single(await cluster.ContainersOfAsync(created.Metadata.Uid!));
        Assert.Equal("docker://" + container.Id, main.ContainerID);
        // The fixture's image is imported, not pulled: no repository digest, so the kubelet's docker://<image id>.
        Assert.Equal("docker://" + container.ImageId, main.ImageID);
        Assert.Matches("^docker://sha256:[0-9a-f]{64}$", main.ImageID);
        Assert.Equal(BusyboxImage.Name, main.Image);
        Assert.Equal(ContainerRunState.Running, container.State);
        var expected = new Dictionary<string, string>
        {
            [ContainerLabels.ManagedBy] = ContainerLabels.ManagedByValue,
            [ContainerLabels.Node] = cluster.NodeName,
            [ContainerLabels.PodUid] = created.Metadata.Uid!,
            [ContainerLabels.PodNamespace] = Ns,
            [ContainerLabels.PodName] = "hello",
            [ContainerLabels.Container] = "main",
            [ContainerLabels.Attempt] = "0",
            [ContainerLabels.SpecHash] = ContainerNaming.SpecHash(created.Spec.Containers![0]),
            [ContainerNaming.PodIpLabel] = status.PodIP!,
        };
        Assert.Equal(expected.OrderBy(l => l.Key), container.Labels.Where(l => l.Key.StartsWith("io.granary.", StringComparison.Ordinal)).OrderBy(l => l.Key));
    }

    [Fact]
    public async Task Logs_ThroughTheSdk_ReadAndFollow_AndExecSeparatesStreamsAndExitCode()
    {
        var (watch, _) = await cluster.CreateWatchedAsync(HelloPod("talk"));
        await using var __ = watch;
        var pod = await watch.NextAsync(IsRunningAndReady, "waiting for pod talk to run");
        var hello = $"hello {pod.Status!.PodIP} {cluster.NodeName}";

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var follow = Client.Pods.ReadLogsAsync(Ns, "talk", follow: true, ct: cts.Token).GetAsyncEnumerator(cts.Token);
        var followed = new List<string>();
        try
        {
            // The first line is the barrier: the follow has begun, so what is written next must reach it.
            followed.Add(await NextLineAsync(follow, "following pod talk's log: its first line"));
            var echo = await Client.Pods.ExecAsync(Ns, "talk", ["sh", "-c", "echo later > /proc/1/fd/1"]);
            Assert.Equal(new PodExecResult(0, "", ""), echo);
            followed.Add(await NextLineAsync(follow, "following pod talk's log: the line written after the follow began"));
        }
        finally
        {
            await cts.CancelAsync();
            await follow.DisposeAsync();
        }
        var all = new List<string>();
        await foreach (var line in Client.Pods.ReadLogsAsync(Ns, "talk"))
            all.Add(line.Text);
        var exec = await Client.Pods.ExecAsync(Ns, "talk", ["sh", "-c", "echo out; echo err >&2; exit 3"]);

        Assert.Equal([hello, "later"], followed);
        Assert.Equal([hello, "later"], all);
        Assert.Equal(new PodExecResult(3, "out\n", "err\n"), exec);
    }

    [Fact]
    public async Task Logs_AndExec_ThroughTheGranaryCli()
    {
        var (watch, _) = await cluster.CreateWatchedAsync(HelloPod("cli-talk"));
        await using var __ = watch;
        var pod = await watch.NextAsync(IsRunningAndReady, "waiting for pod cli-talk to run");
        var hello = $"hello {pod.Status!.PodIP} {cluster.NodeName}";
        // The line is written by now (the follow returned it): the CLI must print exactly it.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using (var follow = Client.Pods.ReadLogsAsync(Ns, "cli-talk", follow: true, ct: cts.Token).GetAsyncEnumerator(cts.Token))
            Assert.Equal(hello, await NextLineAsync(follow, "following pod cli-talk's log: its first line"));

        var logs = await cluster.Cli.RunAsync(["logs", "cli-talk"]);
        var exec = await cluster.Cli.RunAsync(["exec", "cli-talk", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);

        Assert.Equal(new CliResult(0, hello + "\n", ""), logs);
        Assert.Equal(new CliResult(3, "out\n", "err\ncommand terminated with exit code 3\n"), exec);
    }

    [Fact]
    public async Task LivenessFailure_RestartsTheContainer_ThenBacksOffInCrashLoop()
    {
        // Healthy for 3 s, then the probe's file is gone; every new container starts healthy again.
        var liveness = new Probe
        {
            Exec = new ExecAction { Command = ["cat", "/tmp/healthy"] },
            InitialDelaySeconds = 1,
            PeriodSeconds = 1,
            FailureThreshold = 1,
        };
        // SIGTERM ends it with code 42 (between two 1 s sleeps, well within the grace), so the kill is told apart from a crash.
        var spec = Busybox("liveness", "trap \"exit 42\" TERM; touch /tmp/healthy; sleep 3; rm /tmp/healthy; while true; do sleep 1; done",
            gracePeriodSeconds: 10, container: c => c with { LivenessProbe = liveness });
        var (watch, created) = await cluster.CreateWatchedAsync(spec);
        await using var _ = watch;

        var restarted = await watch.NextAsync(p => MainOf(p) is { RestartCount: >= 1, State.Running: not null },
            "waiting for pod liveness's container to be restarted after its liveness probe failed");
        var backingOff = await watch.NextAsync(p => MainOf(p)?.State?.Waiting?.Reason == "CrashLoopBackOff",
            "waiting for pod liveness's container to wait in CrashLoopBackOff after its second failure");
        await Client.Pods.DeleteAsync(Ns, "liveness");

        var sequence = Sequence(watch.Versions).SkipWhile(s => !s.StartsWith("running", StringComparison.Ordinal)).ToList();
        Assert.True(sequence is ["running#0", "running#1", "waiting:CrashLoopBackOff#1"], $"states of pod liveness: {string.Join(" → ", sequence)}\n{watch.Describe()}");
        var killed = MainOf(restarted)!.LastState!.Terminated!;
        Assert.Equal((42, "Error"), (killed.ExitCode, killed.Reason));
        Assert.Equal("running#0", StateOf(MainOf(watch.Versions.First(p => MainOf(p)?.State?.Running is not null))));
        var waiting = MainOf(backingOff)!;
        Assert.Equal((42, "Error"), (waiting.LastState!.Terminated!.ExitCode, waiting.LastState.Terminated.Reason));
        Assert.Equal($"back-off 10s restarting failed container=main pod=liveness_default({created.Metadata.Uid})", waiting.State!.Waiting!.Message);
        Assert.Equal("Running", backingOff.Status!.Phase);
    }

    [Fact]
    public async Task RestartPolicy_NeverWithFailure_IsFailed_AndOnFailureWithSuccess_IsSucceeded()
    {
        var (never, neverPod) = await cluster.CreateWatchedAsync(Busybox("never-fails", "exit 1", restartPolicy: "Never"));
        await using var _ = never;
        var (onFailure, onFailurePod) = await cluster.CreateWatchedAsync(Busybox("onfailure-ok", "exit 0", restartPolicy: "OnFailure"));
        await using var __ = onFailure;

        var failed = await never.NextAsync(p => p.Status?.Phase is "Failed" or "Succeeded", "waiting for pod never-fails to finish");
        var succeeded = await onFailure.NextAsync(p => p.Status?.Phase is "Failed" or "Succeeded", "waiting for pod onfailure-ok to finish");

        Assert.Equal("Failed", failed.Status!.Phase);
        Assert.Equal("terminated:Error(1)#0", StateOf(MainOf(failed)));
        Assert.Equal("Succeeded", succeeded.Status!.Phase);
        Assert.Equal("terminated:Completed(0)#0", StateOf(MainOf(succeeded)));
        Assert.Equal(("False", "False"), (ConditionOf(failed, "Ready"), ConditionOf(succeeded, "Ready")));
        // Finished for good: one container each, never restarted.
        Assert.Equal(["0"], (await cluster.ContainersOfAsync(neverPod.Metadata.Uid!)).Select(c => c.Labels[ContainerLabels.Attempt]));
        Assert.Equal(["0"], (await cluster.ContainersOfAsync(onFailurePod.Metadata.Uid!)).Select(c => c.Labels[ContainerLabels.Attempt]));
    }

    [Fact]
    public async Task ReadinessProbe_OnAPortOpenedLater_IsNotReadyFirst_ThenReady()
    {
        var port = FreePort.Next();
        var readiness = new Probe { TcpSocket = new TcpSocketAction { Port = port }, PeriodSeconds = 1 };
        // The port opens on the pod's own address once the test says so (a file), not after some time.
        var spec = Busybox("ready-later", $"while [ ! -f /tmp/open ]; do sleep 1; done; exec httpd -f -p $POD_IP:{port}", gracePeriodSeconds: 1,
            container: c => c with { ReadinessProbe = readiness });
        var (watch, _) = await cluster.CreateWatchedAsync(spec);
        await using var __ = watch;

        var notReady = await watch.NextAsync(p => p.Status?.Phase == "Running" && MainOf(p)?.State?.Running is not null,
            "waiting for pod ready-later to run, not yet ready");
        var open = await Client.Pods.ExecAsync(Ns, "ready-later", ["touch", "/tmp/open"]);
        var ready = await watch.NextAsync(IsRunningAndReady, "waiting for pod ready-later to pass its readiness probe once its port is open");

        var readyWhileRunning = watch.Versions.Where(p => MainOf(p)?.State?.Running is not null).Select(p => ConditionOf(p, "Ready")).ToList();
        var sequence = readyWhileRunning.Where((r, i) => i == 0 || readyWhileRunning[i - 1] != r).ToList();
        Assert.True(sequence is ["False", "True"], $"Ready while running: {string.Join(" → ", sequence)}\n{watch.Describe()}");
        Assert.Equal(("False", false), (ConditionOf(notReady, "Ready"), MainOf(notReady)!.Ready));
        Assert.Equal(new PodExecResult(0, "", ""), open);
        Assert.True(MainOf(ready)!.Ready);
        Assert.Equal(0, MainOf(ready)!.RestartCount);
    }

    [Fact]
    public async Task ActiveDeadline_RunsOut_ThePodFailsWithDeadlineExceeded_AndItsContainerIsStopped()
    {
        var spec = Busybox("deadline", "trap \"exit 0\" TERM; while true; do sleep 1; done", gracePeriodSeconds: 10);
        spec = spec with { Spec = spec.Spec with { ActiveDeadlineSeconds = 2 } };
        var (watch, created) = await cluster.CreateWatchedAsync(spec);
        await using var _ = watch;

        var running = await watch.NextAsync(p => MainOf(p)?.State?.Running is not null, "waiting for pod deadline to run");
        var failed = await watch.NextAsync(p => p.Status?.Phase == "Failed" && MainOf(p)?.State?.Terminated is not null,
            "waiting for pod deadline to fail once its 2 s deadline ran out, its container stopped");

        Assert.Equal(("DeadlineExceeded", "Pod was active on the node longer than the specified deadline"), (failed.Status!.Reason, failed.Status.Message));
        Assert.Equal("terminated:Completed(0)#0", StateOf(MainOf(failed)));
        Assert.True(MainOf(failed)!.State!.Terminated!.FinishedAt >= running.Status!.StartTime!.Value.AddSeconds(2),
            $"stopped before the deadline:\n{watch.Describe()}");
        Assert.Equal(["0"], (await cluster.ContainersOfAsync(created.Metadata.Uid!)).Select(c => c.Labels[ContainerLabels.Attempt]));
        await Client.Pods.DeleteAsync(Ns, "deadline");
    }

    [Fact]
    public async Task MissingImage_WaitsWithThePullError_FromTheEngine()
    {
        // Nothing listens on port 1 of loopback: the pull fails at once, without leaving the machine.
        var (watch, _) = await cluster.CreateWatchedAsync(Busybox("no-image", "true", container: c => c with { Image = "127.0.0.1:1/nothing:1" }));
        await using var __ = watch;

        var pod = await watch.NextAsync(p => MainOf(p)?.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff",
            "waiting for pod no-image to report its image pull failure");

        var waiting = MainOf(pod)!.State!.Waiting!;
        Assert.Equal("Pending", pod.Status!.Phase);
        Assert.Contains("127.0.0.1:1", waiting.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", waiting.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_IsGraceful_TheContainerGetsSigterm_ThenPodAndContainerGo()
    {
        var (watch, created) = await cluster.CreateWatchedAsync(HelloPod("graceful"));
        await using var _ = watch;
        await watch.NextAsync(IsRunningAndReady, "waiting for pod graceful to run");
        var container = Assert.Single(await cluster.ContainersOfAsync(created.Metadata.Uid!));
        // The engine's own log stream of the container ends when the container stops.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var log = cluster.FollowLogAsync(container.Id, cts.Token);

        var deleting = await Client.Pods.DeleteAsync(Ns, "graceful");
        var marked = await watch.NextAsync(p => p.Metadata.DeletionTimestamp is not null, "waiting for pod graceful to show its deletionTimestamp");
        await watch.DeletedAsync("waiting for pod graceful to be deleted once its container stopped");
        var output = await log.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotNull(deleting.Metadata.DeletionTimestamp);
        Assert.Equal(30, marked.Metadata.DeletionGracePeriodSeconds);
        Assert.Equal([$"hello {marked.Status!.PodIP} {cluster.NodeName}", "got TERM"], output);
        Assert.Empty(await cluster.ContainersOfAsync(created.Metadata.Uid!));
        await Assert.ThrowsAsync<Granary.Errors.NotFoundException>(() => Client.Pods.GetAsync(Ns, "graceful"));
    }

    private void AssertInPodCidr(string? podIp)
    {
        Assert.NotNull(podIp);
        Assert.StartsWith(cluster.PodIpPrefix, podIp, StringComparison.Ordinal);
        var last = int.Parse(podIp[cluster.PodIpPrefix.Length..], CultureInfo.InvariantCulture);
        Assert.InRange(last, 2, 254);
        Assert.True(IPAddress.TryParse(podIp, out _), podIp);
    }

    private static async Task<string> NextLineAsync(IAsyncEnumerator<PodLogLine> follow, string phase)
    {
        try
        {
            if (await follow.MoveNextAsync())
                return follow.Current.Text;
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"{phase}: no line within 60s", e);
        }
        throw new InvalidOperationException($"{phase}: the follow ended without the line");
    }
}
