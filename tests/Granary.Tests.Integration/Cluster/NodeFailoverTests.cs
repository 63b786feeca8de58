using System.Diagnostics;
using System.Globalization;
using Granary.Api;
using Granary.Client;
using Granary.Model;
using Granary.NodeAgent.Runtime;
using Granary.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Granary.Tests.Integration.Cluster;

/// <summary>Two nodes (blocks 20 and 21) on one dockerd, a silo with the default node lifecycle timings.</summary>
public sealed class FailoverCluster() : MultiNodeCluster([new ClusterNode("node-a", 20), new ClusterNode("node-b", 21)]);

/// <summary>
/// A node's agent dies under a Deployment: the node turns NotReady, its pods are evicted once their default toleration
/// runs out and run again on the other node; an agent back before the toleration keeps its pods; a returning agent
/// stops the containers of pods evicted meanwhile. Times are printed, not asserted: the order of things is.
/// </summary>
public sealed class NodeFailoverTests(FailoverCluster cluster, ITestOutputHelper output) : IClassFixture<FailoverCluster>
{
    private const string Lost = "node-a";
    private const string Survivor = "node-b";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AgentKilled_NodeNotReady_PodsEvictedAfterTheirToleration_AndRunningOnTheOtherNode()
    {
        var ns = "failover";
        var original = await DeployOnLostNodeAsync(ns, tolerationSeconds: null);
        Assert.All(original, p => Assert.Contains(p.Spec.Tolerations!, t => t is { Key: NodeTaints.Unreachable, Effect: "NoExecute", TolerationSeconds: 15 }));

        var clock = new Stopwatch();
        await using var nodes = await TimedWatch<Node>.StartAsync(cluster.Client.Nodes, null, clock);
        await using var pods = await TimedWatch<Pod>.StartAsync(cluster.Client.Pods, ns, clock);
        clock.Start();
        await cluster.KillAgentAsync(Lost);

        var notReady = await nodes.WaitAsync(e => Latest(e, Lost) is { } n && Ready(n) == "Unknown", $"node {Lost} NotReady after its agent was killed", Timeout, cluster.RecentOutput);
        var evicted = await pods.WaitAsync(e => original.All(p => e.Any(x => x.Event.Type == WatchEventType.Deleted && x.Event.Object.Metadata.Uid == p.Metadata.Uid)),
            $"the {original.Count} pods of {Lost} evicted", Timeout, cluster.RecentOutput);
        var running = await pods.WaitAsync(e => RunningOn(e, Survivor).Count(p => !original.Any(o => o.Metadata.Uid == p.Metadata.Uid)) == original.Count,
            $"{original.Count} replacement pods Running and Ready on {Survivor}", Timeout, cluster.RecentOutput);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after SIGKILL of {Lost}'s agent: NotReady {notReady.TotalSeconds:F1} s (goal <= 15), last pod evicted {evicted.TotalSeconds:F1} s, {original.Count} Running on {Survivor} {running.TotalSeconds:F1} s (goal <= 30)"));

        // The order of things: NotReady, the unreachable taint, pods not ready, then evictions once the 15 s toleration ran out.
        var taint = nodes.Of(Lost).Select(e => e.Event.Object.Spec.Taints?.FirstOrDefault(t => t is { Key: NodeTaints.Unreachable, Effect: "NoExecute" }))
            .OfType<Taint>().First();
        foreach (var pod in original)
        {
            var history = pods.Of(pod.Metadata.Name!);
            var deleted = history.Single(e => e.Event.Type == WatchEventType.Deleted);
            Assert.True(deleted.At >= notReady, $"{pod.Metadata.Name} deleted at {deleted.At} before the node was NotReady at {notReady}");
            Assert.Contains(history, e => e.At <= deleted.At && ReadyCondition(e.Event.Object) == "False");
            var disruption = history.Select(e => e.Event.Object.Status?.Conditions?.FirstOrDefault(c => c.Type == "DisruptionTarget")).OfType<PodCondition>().First();
            Assert.Equal(("True", "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint"), (disruption.Status, disruption.Reason, disruption.Message));
            Assert.True(disruption.LastTransitionTime >= taint.TimeAdded!.Value.AddSeconds(15),
                $"{pod.Metadata.Name} was evicted at {disruption.LastTransitionTime:O}, before its 15 s toleration of the taint added at {taint.TimeAdded:O} ran out");
        }

        // What an operator sees, through the real kubectl.
        var get = await cluster.Kubectl.RunAsync("get", "nodes", "--no-headers");
        Assert.Equal(0, get.ExitCode);
        Assert.Contains(get.Stdout.Split('\n'), l => l.StartsWith(Lost, StringComparison.Ordinal) && l.Contains("NotReady", StringComparison.Ordinal));
        Assert.Contains(get.Stdout.Split('\n'), l => l.StartsWith(Survivor, StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == "Ready");
        var describe = await cluster.Kubectl.RunAsync("describe", "node", Lost);
        Assert.Equal(0, describe.ExitCode);
        Assert.Contains("node.kubernetes.io/unreachable:NoExecute", describe.Stdout, StringComparison.Ordinal);
        Assert.Contains("node.kubernetes.io/unreachable:NoSchedule", describe.Stdout, StringComparison.Ordinal);
        Assert.Contains("NodeStatusUnknown", describe.Stdout, StringComparison.Ordinal);
        Assert.Contains("Kubelet stopped posting node status.", describe.Stdout, StringComparison.Ordinal);

        // The agent comes back: the containers of the evicted pods go on its first full desired state, without the orphan grace.
        var agent = await cluster.StartAgentAsync(Lost);
        await agent.Process.WaitForLineAsync("predates the desired state", original.Count, Timeout, $"{Lost}'s agent stopping the containers of its evicted pods");
        foreach (var pod in original)
        {
            await agent.Process.WaitForLineAsync("Removed orphaned container", original.Count, Timeout, $"{Lost}'s agent removing the containers of its evicted pods");
            Assert.Empty(await cluster.Engine.ListAsync(new Dictionary<string, string> { [ContainerLabels.PodUid] = pod.Metadata.Uid! }, CancellationToken.None));
        }
        await nodes.WaitAsync(e => Latest(e, Lost) is { } n && Ready(n) == "True" && n.Spec.Taints is null, $"{Lost} Ready and untainted again", Timeout, cluster.RecentOutput);
    }

    [Fact]
    public async Task AgentBackBeforeTheToleration_NothingIsEvicted_SamePodsSameContainers()
    {
        // The pods tolerate an unreachable node for 2 minutes, so the restart below is surely within it on any machine.
        var ns = "blip";
        var original = await DeployOnLostNodeAsync(ns, tolerationSeconds: 120);
        var containers = await ContainersAsync(original);

        var clock = new Stopwatch();
        await using var nodes = await TimedWatch<Node>.StartAsync(cluster.Client.Nodes, null, clock);
        await using var pods = await TimedWatch<Pod>.StartAsync(cluster.Client.Pods, ns, clock);
        clock.Start();
        await cluster.KillAgentAsync(Lost);
        var tainted = await nodes.WaitAsync(e => Latest(e, Lost) is { } n && Ready(n) == "Unknown" && n.Spec.Taints?.Any(t => t is { Key: NodeTaints.Unreachable, Effect: "NoExecute" }) == true,
            $"{Lost} NotReady and tainted unreachable:NoExecute", Timeout, cluster.RecentOutput);
        await pods.WaitAsync(e => original.All(p => Latest(e, p.Metadata.Name!) is { } v && ReadyCondition(v) == "False"), $"the pods of {Lost} marked not ready", Timeout, cluster.RecentOutput);

        await cluster.StartAgentAsync(Lost);
        var back = await nodes.WaitAsync(e => Latest(e, Lost) is { } n && Ready(n) == "True" && n.Spec.Taints is null, $"{Lost} Ready and untainted after its agent came back", Timeout, cluster.RecentOutput);
        await pods.WaitAsync(e => original.All(p => Latest(e, p.Metadata.Name!) is { } v && ReadyCondition(v) == "True"), $"the pods of {Lost} ready again", Timeout, cluster.RecentOutput);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Lost} tainted at {tainted.TotalSeconds:F1} s, Ready again at {back.TotalSeconds:F1} s after the kill; nothing evicted"));

        Assert.DoesNotContain(pods.Events, e => e.Event.Type == WatchEventType.Deleted);
        Assert.DoesNotContain(pods.Events, e => e.Event.Object.Status?.Conditions?.Any(c => c.Type == "DisruptionTarget") == true);
        var now = await cluster.Client.Pods.ListAsync(new ListOptions { Namespace = ns });
        Assert.Equal(original.Select(p => p.Metadata.Uid).Order(), now.Items.Select(p => p.Metadata.Uid).Order());
        Assert.Equal(containers, await ContainersAsync(original));
    }

    /// <summary>
    /// A 4-replica Deployment whose pods all run on <see cref="Lost"/> (the survivor cordoned meanwhile), both agents
    /// running; returns its pods, Running and Ready.
    /// </summary>
    private async Task<IReadOnlyList<Pod>> DeployOnLostNodeAsync(string ns, long? tolerationSeconds)
    {
        foreach (var node in cluster.Nodes.Where(n => !cluster.IsRunning(n.Name)))
            await cluster.StartAgentAsync(node.Name);
        var kubectl = cluster.Kubectl;
        await Run(kubectl, "create", "namespace", ns);
        await Run(kubectl, "cordon", Survivor);
        var tolerations = tolerationSeconds is { } seconds
            ? "      tolerations:\n"
              + $"      - {{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: {seconds}}}\n"
              + $"      - {{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: {seconds}}}\n"
            : "";
        var manifest = $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: {{ns}} }
            spec:
              replicas: 4
              selector: {matchLabels: {app: web} }
              template:
                metadata: {labels: {app: web} }
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - {name: web, image: local/busybox:1, command: [sleep, "3600"]}

            """ + tolerations;
        var clock = Stopwatch.StartNew();
        await using (var pods = await TimedWatch<Pod>.StartAsync(cluster.Client.Pods, ns, clock))
        {
            var apply = await kubectl.RunWithStdinAsync(manifest, "apply", "-f", "-");
            Assert.True(apply.ExitCode == 0, apply.ToString());
            await pods.WaitAsync(e => RunningOn(e, Lost).Count == 4, $"4 pods of {ns}/web Running and Ready on {Lost}", Timeout, cluster.RecentOutput);
        }
        await Run(kubectl, "uncordon", Survivor);
        var list = await cluster.Client.Pods.ListAsync(new ListOptions { Namespace = ns });
        Assert.All(list.Items, p => Assert.Equal(Lost, p.Spec.NodeName));
        return list.Items;
    }

    private async Task<string[]> ContainersAsync(IEnumerable<Pod> pods)
    {
        var ids = new List<string>();
        foreach (var pod in pods)
            ids.AddRange((await cluster.Engine.ListAsync(new Dictionary<string, string> { [ContainerLabels.PodUid] = pod.Metadata.Uid! }, CancellationToken.None)).Select(c => c.Id));
        return [.. ids.Order(StringComparer.Ordinal)];
    }

    private static async Task Run(Kubectl kubectl, params string[] args)
    {
        var result = await kubectl.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {result}");
    }

    /// <summary>The latest version of the object named <paramref name="name"/> among the events; null once deleted or never seen.</summary>
    private static T? Latest<T>(IReadOnlyList<(TimeSpan At, WatchEvent<T> Event)> events, string name) where T : class, IResource<T>
    {
        var last = events.LastOrDefault(e => e.Event.Object.Metadata.Name == name);
        return last.Event is { Type: not WatchEventType.Deleted } e ? e.Object : null;
    }

    /// <summary>The pods, as last seen, that are Running and Ready on <paramref name="node"/>.</summary>
    private static List<Pod> RunningOn(IReadOnlyList<(TimeSpan At, WatchEvent<Pod> Event)> events, string node) =>
        [.. events.GroupBy(e => e.Event.Object.Metadata.Uid).Select(g => g.Last().Event)
            .Where(e => e.Type != WatchEventType.Deleted && e.Object.Spec.NodeName == node && IsRunningReady(e.Object)).Select(e => e.Object)];

    private static bool IsRunningReady(Pod pod) => pod.Status?.Phase == "Running" && ReadyCondition(pod) == "True";

    private static string? Ready(Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;

    private static string? ReadyCondition(Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;
}
