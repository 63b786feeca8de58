using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

/// <summary>The lifecycle grain in a silo whose grace period is 2 s and default tolerations 1 s.</summary>
public sealed class NodeLifecycleGrainTests(ShortLeaseClusterFixture fixture) : IClassFixture<ShortLeaseClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private static string? Ready(Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;

    private static string Taints(Node node) => string.Join(",", (node.Spec.Taints ?? []).Select(t => $"{t.Key}:{t.Effect}").Order(StringComparer.Ordinal));

    [Fact]
    public async Task LapsedLease_TaintsTheNode_EvictsItsPodAfterTheDefaultToleration_AndARenewalLiftsTheTaints()
    {
        // A node whose agent stays: with none ready anywhere, the zone rule would (rightly) evict nothing.
        await using var healthy = await AgentStandIn.StartAsync(fixture, Unique.Name("healthy"));
        var name = Unique.Name("lapse");
        await Client.Nodes.CreateAsync(Objects.Node(name, labels: Objects.Labels((NodeTaints.ZoneLabel, name))));
        var grain = fixture.Grains.GetGrain<INodeGrain>(name);
        await grain.RenewLeaseAsync(name, TimeSpan.FromMinutes(1));
        var pod = await Client.Pods.CreateAsync(Objects.Pod("default", Unique.Name("on-lost-node")) with
        {
            Spec = Objects.Pod("default", "x").Spec with { NodeName = name },
        });
        Assert.Contains(pod.Spec.Tolerations!, t => t is { Key: NodeTaints.Unreachable, Effect: "NoExecute", TolerationSeconds: 1 });

        // No renewal for 2 s (the grace period, which also caps the minute asked for): Unknown, tainted unreachable.
        var unknown = await Eventually.Until(() => Client.Nodes.GetAsync(null, name), n => Ready(n) == "Unknown", $"node {name} marked Unknown after its lease lapsed");
        Assert.Equal(("NodeStatusUnknown", "Kubelet stopped posting node status."), (unknown.Status!.Conditions!.Single(c => c.Type == "Ready").Reason, unknown.Status.Conditions!.Single(c => c.Type == "Ready").Message));
        var tainted = await Eventually.Until(() => Client.Nodes.GetAsync(null, name), n => Taints(n).Contains("NoExecute", StringComparison.Ordinal), $"node {name} tainted");
        Assert.Equal($"{NodeTaints.Unreachable}:NoExecute,{NodeTaints.Unreachable}:NoSchedule", Taints(tainted));
        Assert.False(await grain.HasLiveAgentAsync());

        // The pod tolerated the taint for 1 s, then it was evicted; with no live agent it is gone at once.
        await Eventually.Until(async () => await Exists(pod), exists => !exists, $"pod {pod.Metadata.Name} evicted from {name}");
        var taintAdded = tainted.Spec.Taints!.Single(t => t.Effect == "NoExecute").TimeAdded!.Value;
        // Events are written in the background: wait for the eviction's.
        var events = await Eventually.Until(() => Client.Events.ListAsync(new ListOptions { Namespace = "default" }),
            l => l.Items.Any(e => e.InvolvedObject.Name == pod.Metadata.Name && e.Reason == "TaintManagerEviction"), $"TaintManagerEviction event of {pod.Metadata.Name}");
        var evicted = events.Items.Single(e => e.InvolvedObject.Name == pod.Metadata.Name && e.Reason == "TaintManagerEviction");
        Assert.Equal($"Marking for deletion Pod default/{pod.Metadata.Name}", evicted.Message);
        // Event times are whole seconds, as in Kubernetes.
        var due = taintAdded.AddSeconds(1);
        Assert.True(evicted.FirstTimestamp >= due.AddTicks(-(due.Ticks % TimeSpan.TicksPerSecond)), $"evicted at {evicted.FirstTimestamp}, the taint was added at {taintAdded}: the toleration was not waited for");

        // The agent is back: Ready, and the taints go.
        await grain.RenewLeaseAsync(name, TimeSpan.FromMinutes(1));
        Assert.Equal("True", Ready(await Client.Nodes.GetAsync(null, name)));
        await Eventually.Until(() => Client.Nodes.GetAsync(null, name), n => n.Spec.Taints is null, $"taints lifted from {name}");
    }

    [Fact]
    public async Task NodeCreatedByHand_WithoutALease_TurnsUnknown_NeverUpdated()
    {
        var name = Unique.Name("by-hand");
        await Client.Nodes.CreateAsync(new Node { Metadata = new ObjectMeta { Name = name } });

        var node = await Eventually.Until(() => Client.Nodes.GetAsync(null, name), n => Ready(n) == "Unknown", $"node {name} without a lease marked Unknown");

        var ready = node.Status!.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal(("NodeStatusNeverUpdated", "Kubelet never posted node status."), (ready.Reason, ready.Message));
        Assert.Equal(["DiskPressure", "MemoryPressure", "PIDPressure", "Ready"], node.Status.Conditions!.Select(c => c.Type).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EveryNodeSilent_EvictsNothing_AndLiftsNoExecuteTaints()
    {
        var name = Unique.Name("alone");
        var zone = Objects.Labels((NodeTaints.ZoneLabel, "only-zone"));
        await Client.Nodes.CreateAsync(Objects.Node(name, labels: zone));
        var pod = await Client.Pods.CreateAsync(Objects.Pod("default", Unique.Name("kept")) with { Spec = Objects.Pod("default", "x").Spec with { NodeName = name } });
        await using (await AgentStandIn.StartAsync(fixture, name))
        {
            // While its agent renews the node is Ready; the nodes of other tests here have no agent left. Then this
            // agent stops too, as all would in a control plane partition.
            await Eventually.Until(() => Client.Nodes.GetAsync(null, name), n => Ready(n) == "True", $"node {name} Ready");
            await Eventually.Until(() => Client.Nodes.ListAsync(), l => l.Items.All(n => n.Metadata.Name == name || Ready(n) == "Unknown"), "every other node Unknown");
        }
        await Eventually.Until(() => Client.Nodes.GetAsync(null, name), n => Ready(n) == "Unknown", $"node {name} Unknown");

        // Every node is silent, so every zone is fully disrupted.
        var events = await Eventually.Until(() => Client.Events.ListAsync(new ListOptions { Namespace = "" }),
            l => l.Items.Any(e => e.InvolvedObject.Name == name && e.Reason == "EvictionsSuspended"), $"EvictionsSuspended event on {name}");
        Assert.Contains("no pod is evicted", events.Items.First(e => e.InvolvedObject.Name == name && e.Reason == "EvictionsSuspended").Message, StringComparison.Ordinal);
        var node = await Client.Nodes.GetAsync(null, name);
        Assert.Equal($"{NodeTaints.Unreachable}:NoSchedule", Taints(node));
        Assert.True(await Exists(pod));
    }

    private async Task<bool> Exists(Pod pod)
    {
        try
        {
            return (await Client.Pods.GetAsync("default", pod.Metadata.Name!)).Metadata.Uid == pod.Metadata.Uid;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    /// <summary>Renews a node's lease every 300 ms, as its agent would, until disposed.</summary>
    private sealed class AgentStandIn : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public static async Task<AgentStandIn> StartAsync(ClusterFixture fixture, string node)
        {
            try
            {
                await fixture.Client.Nodes.CreateAsync(Objects.Node(node));
            }
            catch (AlreadyExistsException)
            {
                // A node the test made with its own labels.
            }
            var grain = fixture.Grains.GetGrain<INodeGrain>(node);
            await grain.RenewLeaseAsync(node, TimeSpan.FromSeconds(2));
            var standIn = new AgentStandIn();
            standIn._loop = standIn.RenewAsync(grain, node);
            return standIn;
        }

        private async Task RenewAsync(INodeGrain grain, string node)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(300));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                    await grain.RenewLeaseAsync(node, TimeSpan.FromSeconds(2));
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
