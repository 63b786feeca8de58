using System.Net.Sockets;
using System.Text;
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
public sealed class SystemdNotifyTests(SystemdCluster cluster) : IClassFixture<SystemdCluster>, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string[] Known = ["READY=1", "WATCHDOG=1", "STOPPING=1"];
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Agent_SaysReadyAfterRegisteringAndSyncing_PingsTheWatchdog_AndSaysStoppingOnSigterm()
    {
        // A pod already bound to the node: "ready" must mean its container runs.
        var bound = Busybox("waiting-for-agent", "trap \"exit 0\" TERM; while true; do sleep 1; done");
        bound = await cluster.Client.Pods.CreateAsync(bound with { Spec = bound.Spec with { NodeName = cluster.NodeName } });
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var path = Path.Combine(_dir, "notify");
        socket.Bind(new UnixDomainSocketEndPoint(path));
        await using var notifications = new Notifications(socket);

        await using var agent = AgentProcess.Start(cluster.AgentOptions(new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = path,
            ["WATCHDOG_USEC"] = "2000000",
        }));
        var ready = await notifications.WaitForAsync("READY=1", 1, after: 0, "waiting for READY=1", agent);
        var containersAtReady = await cluster.Engine.ListAsync(
            new Dictionary<string, string> { [ContainerLabels.PodUid] = bound.Metadata.Uid! }, CancellationToken.None);
        var nodeAtReady = await cluster.Client.Nodes.GetAsync(null, cluster.NodeName);
        await notifications.WaitForAsync("WATCHDOG=1", 2, after: ready, "waiting for two WATCHDOG=1 after READY=1", agent);
        await agent.StopAsync();
        await notifications.WaitForAsync("STOPPING=1", 1, after: 0, "waiting for STOPPING=1 after SIGTERM", agent);

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

    /// <summary>Every datagram received on the notify socket, in order; waits are barriers on them.</summary>
    private sealed class Notifications : IAsyncDisposable
    {
        private readonly List<string> _received = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _pump;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Notifications(Socket socket) => _pump = Task.Run(() => PumpAsync(socket));

        public List<string> All
        {
            get { lock (_received) return [.. _received]; }
        }

        private async Task PumpAsync(Socket socket)
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    lock (_received)
                    {
                        _received.Add(Encoding.UTF8.GetString(buffer, 0, n));
                        _changed.TrySetResult();
                        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Disposed.
            }
        }

        /// <summary>
        /// Waits until <paramref name="count"/> notifications equal to <paramref name="state"/> arrived after the first
        /// <paramref name="after"/> ones; returns how many notifications there were by then.
        /// </summary>
        public async Task<int> WaitForAsync(string state, int count, int after, string phase, AgentProcess agent)
        {
            var deadline = DateTime.UtcNow + Wait;
            while (true)
            {
                Task changed;
                lock (_received)
                {
                    var seen = 0;
                    for (var i = after; i < _received.Count; i++)
                    {
                        if (_received[i] == state && ++seen == count)
                            return i + 1;
                    }
                    changed = _changed.Task;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
                    throw new TimeoutException($"{phase}: node {agent.Options.NodeName}'s agent sent [{string.Join(", ", All)}] within {Wait.TotalSeconds:0}s. Its output:\n{agent.Output}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _pump;
            _stop.Dispose();
        }
    }
}
