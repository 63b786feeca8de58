using Granary.Api;
using Granary.Model;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;
using static Granary.Tests.Integration.Agent.PodStates;

namespace Granary.Tests.Integration.Agent;

/// <summary>Node n2, whose agents remove orphaned containers after 3 s (the setting has no flag: GRANARY_ORPHANGRACEPERIOD).</summary>
public sealed class RestartCluster() : AgentClusterFixture("n2", block: 2)
{
    public static readonly TimeSpan OrphanGrace = TimeSpan.FromSeconds(3);

    protected override IReadOnlyDictionary<string, string> AgentEnvironment => new Dictionary<string, string>
    {
        ["GRANARY_ORPHANGRACEPERIOD"] = OrphanGrace.ToString(),
    };
}

/// <summary>
/// The agent process stops (SIGTERM) and a new one starts for the same node: what runs is adopted, not
/// restarted; containers of pods deleted meanwhile are removed on the first full desired state (their pods were known:
/// no orphan grace); containers without the agent's labels are never touched.
/// </summary>
public sealed class AgentRestartTests(RestartCluster cluster) : IClassFixture<RestartCluster>
{
    private const string IdleScript = "trap \"exit 0\" TERM; while true; do sleep 1; done";

    private Task<IReadOnlyList<ContainerInfo>> ContainersOfAsync(string uid) =>
        cluster.Engine.ListAsync(new Dictionary<string, string> { [ContainerLabels.PodUid] = uid }, CancellationToken.None);

    /// <summary>Creates a pod and waits until it runs and is ready; returns it and its one container.</summary>
    private async Task<(Pod Pod, ContainerInfo Container)> RunPodAsync(string name)
    {
        await using var watch = await cluster.WatchPodAsync(name);
        var created = await cluster.Client.Pods.CreateAsync(Busybox(name, IdleScript));
        var pod = await watch.NextAsync(IsRunningAndReady, $"waiting for pod {name} to run");
        return (pod, Assert.Single(await ContainersOfAsync(created.Metadata.Uid!)));
    }

    /// <summary>Stops the agent (SIGTERM), does <paramref name="whileDown"/>, starts a new agent and waits for its first sync.</summary>
    private async Task RestartAgentAsync(Func<Task> whileDown)
    {
        var (exitCode, output) = await cluster.StopAgentAsync();
        try
        {
            Assert.True(exitCode == 0, $"the agent exited with code {exitCode} on SIGTERM:\n{output}");
            await whileDown();
        }
        finally
        {
            await cluster.StartAgentAsync();
        }
    }

    [Fact]
    public async Task NewAgent_AdoptsTheRunningContainer_WithoutRestartingIt()
    {
        var (before, container) = await RunPodAsync("adopted");
        await using var watch = await cluster.WatchPodAsync("adopted");

        await RestartAgentAsync(async () =>
        {
            var stillRunning = await cluster.Engine.InspectAsync(container.Id, CancellationToken.None);
            Assert.Equal(ContainerRunState.Running, stillRunning!.State);
        });
        // A pod created after the restart runs once the new agent has made passes over every pod, the adopted one included.
        await RunPodAsync("after-restart");

        var after = await cluster.Client.Pods.GetAsync(Ns, "adopted");
        var adopted = Assert.Single(await ContainersOfAsync(before.Metadata.Uid!));
        Assert.Equal((container.Id, ContainerRunState.Running, container.StartedAt, "0"),
            (adopted.Id, adopted.State, adopted.StartedAt, adopted.Labels[ContainerLabels.Attempt]));
        Assert.Equal("running#0", StateOf(MainOf(after)));
        // Status times are whole seconds, as the kubelet writes them.
        var startedSecond = new DateTimeOffset(container.StartedAt!.Value.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        Assert.Equal(("docker://" + container.Id, startedSecond), (MainOf(before)!.ContainerID, MainOf(before)!.State!.Running!.StartedAt));
        Assert.Equal(("docker://" + container.Id, startedSecond), (MainOf(after)!.ContainerID, MainOf(after)!.State!.Running!.StartedAt));
        Assert.Equal(before.Status!.PodIP, after.Status!.PodIP);
        // Whatever the new agent wrote (if anything), the pod never left running#0.
        Assert.All(watch.Versions, p => Assert.Equal("running#0", StateOf(MainOf(p))));
    }

    [Fact]
    public async Task ContainerOfAPodDeletedWhileTheAgentWasDown_IsRemovedOnTheFirstFullState_AndUnlabelledOnesAreNotTouched()
    {
        var (doomed, container) = await RunPodAsync("doomed");
        var bystanderId = await cluster.Engine.CreateAsync(new ContainerSpec
        {
            Name = "bystander",
            Image = BusyboxImage.Name,
            Command = ["sleep", "3600"],
        }, CancellationToken.None);
        await cluster.Engine.StartAsync(bystanderId, CancellationToken.None);
        var bystander = await cluster.Engine.InspectAsync(bystanderId, CancellationToken.None);

        await RestartAgentAsync(async () =>
        {
            // Deleted at once (grace 0): no agent is there to stop the container, which becomes an orphan.
            await using var watch = await cluster.WatchPodAsync("doomed");
            await cluster.Client.Pods.DeleteAsync(Ns, "doomed", new DeleteOptions { GracePeriodSeconds = 0 });
            await watch.DeletedAsync("waiting for pod doomed to be deleted while its node's agent is down");
        });
        var removed = await cluster.Agent.Process.WaitForLineAsync($"Removed orphaned container {container.Name}", TimeSpan.FromSeconds(60),
            $"waiting for the new agent to remove pod doomed's orphaned container {container.Name}");

        Assert.Empty(await ContainersOfAsync(doomed.Metadata.Uid!));
        // Created before the new agent read its desired state, which lacks its pod: gone at once, not after the grace.
        var seen = Assert.Single(cluster.Agent.Process.Lines($"Container {container.Name} predates the desired state"));
        Assert.EndsWith("removing it now", seen, StringComparison.Ordinal);
        Assert.Empty(cluster.Agent.Process.Lines($"Container {container.Name} belongs to no pod bound here"));
        Assert.Contains(container.Name, removed, StringComparison.Ordinal);
        var untouched = await cluster.Engine.InspectAsync(bystanderId, CancellationToken.None);
        Assert.Equal((ContainerRunState.Running, bystander!.StartedAt), (untouched!.State, untouched.StartedAt));
        Assert.Empty(cluster.Agent.Process.Lines("bystander"));
        Assert.Empty(cluster.Agent.Process.Lines(bystanderId[..12]));
    }
}
