using Granary.NodeAgent.Runtime;
using Granary.Tests.Integration.Infrastructure;
using static Granary.Tests.Integration.Agent.PodStates;

namespace Granary.Tests.Integration.Agent;

/// <summary>Node n4's cluster and engine, without an agent: the test starts its own, as systemd would.</summary>
public sealed class SystemdCluster() : AgentClusterFixture("n4", block: 4, startAgent: false);

/// <summary>
/// The real agent process under systemd's service protocol (Type=notify), without systemd: the test binds the
/// notify socket (a unix datagram socket, one notification per datagram) and passes it as NOTIFY_SOCKET, with
/// WATCHDOG_USEC, as systemd does.
/// </summary>
public sealed class SystemdNotifyTests(SystemdCluster cluster) : IClassFixture<SystemdCluster>
{
    private static readonly string[] Known = ["READY=1", "WATCHDOG=1", "STOPPING=1"];

    [Fact]
    public async Task Agent_SaysReadyAfterRegisteringAndSyncing_PingsTheWatchdog_AndSaysStoppingOnSigterm()
    {
        // A pod already bound to the node: "ready" must mean its container runs.
        var bound = Busybox("waiting-for-agent", "trap \"exit 0\" TERM; while true; do sleep 1; done");
        bound = await cluster.Client.Pods.CreateAsync(bound with { Spec = bound.Spec with { NodeName = cluster.NodeName } });
        await using var notifications = new SystemdNotifications();

        await using var agent = AgentProcess.Start(cluster.AgentOptions(new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = notifications.SocketPath,
            ["WATCHDOG_USEC"] = "2000000",
        }));
        var ready = await notifications.WaitForAsync("READY=1", 1, after: 0, "waiting for READY=1", $"node {agent.Options.NodeName}'s agent", () => agent.Output);
        var containersAtReady = await cluster.Engine.ListAsync(
            new Dictionary<string, string> { [ContainerLabels.PodUid] = bound.Metadata.Uid! }, CancellationToken.None);
        var nodeAtReady = await cluster.Client.Nodes.GetAsync(null, cluster.NodeName);
        await notifications.WaitForAsync("WATCHDOG=1", 2, after: ready, "waiting for two WATCHDOG=1 after READY=1", $"node {agent.Options.NodeName}'s agent", () => agent.Output);
        await agent.StopAsync();
        await notifications.WaitForAsync("STOPPING=1", 1, after: 0, "waiting for STOPPING=1 after SIGTERM", $"node {agent.Options.NodeName}'s agent", () => agent.Output);

        Assert.Equal(0, agent.Process.ExitCode);
        var all = notifications.All;
        Assert.Equal(1, all.Count(n => n == "READY=1"));
        Assert.Equal(1, all.Count(n => n == "STOPPING=1"));
        Assert.Equal("STOPPING=1", all[^1]);
        Assert.True(all.Count(n => n == "WATCHDOG=1") >= 2, string.Join(", ", all));
        Assert.All(all, n => Assert.Contains(n, Known));
        // Registered before READY, and the first reconcile after registering had already started the bound pod's container.
        Assert.Equal("True", Assert.Single(nodeAtReady.Status!.Conditions!, c => c.Type == "Ready").Status);
        Assert.Equal(ContainerRunState.Running, Assert.Single(containersAtReady).State);
        // Under systemd the log takes journald's form: one line per entry, the priority first.
        Assert.Matches($@"(?m)^<6>Granary\.NodeAgent\.ControlPlane\.ControlPlaneLink\[\d+\] Node {cluster.NodeName} {AgentProcess.SyncedLine} ", agent.Output);
    }
}
