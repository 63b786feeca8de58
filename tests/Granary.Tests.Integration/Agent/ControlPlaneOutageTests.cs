using Granary.NodeAgent.Runtime;
using static Granary.Tests.Integration.Agent.PodStates;

namespace Granary.Tests.Integration.Agent;

/// <summary>Node n3, whose only silo the test stops and replaces.</summary>
public sealed class OutageCluster() : AgentClusterFixture("n3", block: 3);

/// <summary>
/// Static stability: with the control plane gone, what runs keeps running and is restarted locally; when a new
/// silo comes up on the same Redis, the agent reconnects by itself and the pod's status catches up.
/// </summary>
public sealed class ControlPlaneOutageTests(OutageCluster cluster) : IClassFixture<OutageCluster>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SiloDown_PodKeepsRunningAndRestartsLocally_ThenStatusCatchesUpWithANewSilo()
    {
        // Runs until /tmp/stop appears, then exits 7; a restarted container has a fresh filesystem and runs on.
        const string script = "trap \"exit 0\" TERM; while [ ! -f /tmp/stop ]; do sleep 1; done; echo stopping; exit 7";
        Granary.Model.Pod running;
        await using (var watch = await cluster.WatchPodAsync("steady"))
        {
            await cluster.Client.Pods.CreateAsync(Busybox("steady", script));
            running = await watch.NextAsync(IsRunningAndReady, "waiting for pod steady to run before the outage");
        }
        var first = MainOf(running)!.ContainerID!["docker://".Length..];

        await cluster.StopSiloAsync();
        await cluster.Agent.Process.WaitForLineAsync("Lost the control plane", Wait, "waiting for the agent to notice that the silo is gone");
        var duringOutage = await cluster.Engine.InspectAsync(first, CancellationToken.None);
        var trigger = await cluster.Engine.ExecAsync(first, ["touch", "/tmp/stop"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(30), CancellationToken.None);
        await cluster.Agent.Process.WaitForLineAsync("Pod default/steady: started container main (attempt 1)", Wait,
            "waiting for the agent to restart pod steady's exited container while the control plane is down");
        var containers = await cluster.Engine.ListAsync(
            new Dictionary<string, string> { [ContainerLabels.PodUid] = running.Metadata.Uid! }, CancellationToken.None);

        await cluster.StartSiloAsync();
        await cluster.Agent.WaitUntilSyncedAsync(2, "waiting for the agent to reconnect to the new silo by itself");
        await cluster.ReconnectClientAsync();
        await using var after = cluster.WatchPodFromCurrent("steady");
        var caughtUp = await after.NextAsync(p => MainOf(p) is { RestartCount: >= 1, State.Running: not null },
            "waiting for pod steady's status to show the restart made during the outage");

        Assert.Equal(ContainerRunState.Running, duringOutage!.State);
        Assert.Equal(new ExecResult(0, "", ""), trigger);
        var byAttempt = containers.OrderBy(c => c.Labels[ContainerLabels.Attempt]).ToList();
        Assert.Equal(["0", "1"], byAttempt.Select(c => c.Labels[ContainerLabels.Attempt]));
        Assert.Equal((first, ContainerRunState.Exited, (int?)7), (byAttempt[0].Id, byAttempt[0].State, byAttempt[0].ExitCode));
        Assert.Equal(ContainerRunState.Running, byAttempt[1].State);
        var main = MainOf(caughtUp)!;
        Assert.Equal(("running#1", "docker://" + byAttempt[1].Id), (StateOf(main), main.ContainerID));
        Assert.Equal((7, "Error", "docker://" + first), (main.LastState!.Terminated!.ExitCode, main.LastState.Terminated.Reason, main.LastState.Terminated.ContainerID));
        Assert.Equal("Running", caughtUp.Status!.Phase);
    }
}
