using static Granary.Tests.Integration.Agent.PodStates;

namespace Granary.Tests.Integration.Agent;

/// <summary>Node n106: a private dockerd, redis-server, a silo process and a node agent process, shared by one class.</summary>
public sealed class EngineEventsCluster() : AgentClusterFixture("n106", block: 106);

/// <summary>
/// The agent trusts what it inspected before while the engine's events stream says nothing changed, so what is done
/// to a pod's container behind its back must still reach it: a container killed, or removed, outside the agent is
/// noticed and replaced as the pod's restart policy says, and the status tells what happened.
/// </summary>
public sealed class EngineEventsTests(EngineEventsCluster cluster) : IClassFixture<EngineEventsCluster>
{
    private const string Sleeper = "trap \"exit 7\" TERM; while true; do sleep 1; done";

    [Fact]
    public async Task ContainerKilledOutsideTheAgent_IsRestarted_WithTheKillAsItsLastState()
    {
        var (watch, created) = await cluster.CreateWatchedAsync(Busybox("killed-outside", Sleeper));
        await using var _ = watch;
        var running = await watch.NextAsync(p => MainOf(p) is { State.Running: not null, RestartCount: 0 }, "waiting for pod killed-outside to run");
        var first = MainOf(running)!.ContainerID!;

        // As `docker stop` by hand would: the trap makes the container exit with 7.
        await cluster.Engine.StopAsync(ContainerId(first), TimeSpan.FromSeconds(10), CancellationToken.None);

        var restarted = await watch.NextAsync(p => MainOf(p) is { State.Running: not null, RestartCount: 1 },
            "waiting for the agent to notice the container stopped outside it and start it again");
        var main = MainOf(restarted)!;
        Assert.Equal((7, "Error"), (main.LastState!.Terminated!.ExitCode, main.LastState.Terminated.Reason));
        Assert.Equal(first, main.LastState.Terminated.ContainerID);
        Assert.NotEqual(first, main.ContainerID);
        Assert.Single(await cluster.ContainersOfAsync(created.Metadata.Uid!), c => c.State == Granary.NodeAgent.Runtime.ContainerRunState.Running);
        await cluster.Client.Pods.DeleteAsync(Ns, "killed-outside");
    }

    [Fact]
    public async Task ContainerRemovedOutsideTheAgent_IsReplaced_AndThePodRunsAgain()
    {
        var (watch, created) = await cluster.CreateWatchedAsync(Busybox("removed-outside", Sleeper));
        await using var _ = watch;
        var running = await watch.NextAsync(p => MainOf(p) is { State.Running: not null, RestartCount: 0 }, "waiting for pod removed-outside to run");
        var first = MainOf(running)!.ContainerID!;

        // As `docker rm -f` by hand would: the container and its record in the engine are gone.
        await cluster.Engine.RemoveAsync(ContainerId(first), CancellationToken.None);

        var replaced = await watch.NextAsync(p => MainOf(p) is { State.Running: not null } main && main.ContainerID != first,
            "waiting for the agent to notice the container removed outside it and start another");
        Assert.Equal("Running", replaced.Status!.Phase);
        var containers = await cluster.ContainersOfAsync(created.Metadata.Uid!);
        Assert.Equal([ContainerId(MainOf(replaced)!.ContainerID!)], containers.Select(c => c.Id));
        await cluster.Client.Pods.DeleteAsync(Ns, "removed-outside");
    }

    /// <summary>The engine's id in a status's containerID ("docker://ID").</summary>
    private static string ContainerId(string containerId) => containerId[(containerId.IndexOf("://", StringComparison.Ordinal) + 3)..];
}
