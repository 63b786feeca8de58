using System.Collections.Immutable;
using Granary.Client;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

public sealed class SchedulerTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    // Each test selects its own nodes by a label, so nodes of other tests in the shared silo never match.
    private static ImmutableSortedDictionary<string, string> Pool(string pool) => Objects.Labels(("pool", pool));

    [Fact]
    public async Task PendingPod_IsBoundToTheNodeThatFits()
    {
        var pool = Unique.Name("fit");
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-small", cpu: "1", labels: Pool(pool)));
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-big", cpu: "8", labels: Pool(pool)));

        await Client.Pods.CreateAsync(Objects.Pod("default", pool, cpu: "2", nodeSelector: Pool(pool), schedulerName: null));

        var bound = await WaitBoundAsync("default", pool);
        Assert.Equal($"{pool}-big", bound.Spec.NodeName);
        Assert.Contains(bound.Status!.Conditions!, c => c is { Type: "PodScheduled", Status: "True" });
    }

    [Fact]
    public async Task PodThatFitsNowhere_StaysPendingWithAReasonPerNode_AndIsBoundWhenANodeFits()
    {
        var pool = Unique.Name("nofit");
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-a", cpu: "1", labels: Pool(pool)));
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-b", cpu: "1", labels: Pool(pool)));
        await Client.Pods.CreateAsync(Objects.Pod("default", pool, cpu: "2", nodeSelector: Pool(pool), schedulerName: null));

        var pending = await Eventually.Until(
            () => Client.Pods.GetAsync("default", pool),
            p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true,
            $"pod default/{pool} marked unschedulable");
        var condition = pending.Status!.Conditions!.Single(c => c.Type == "PodScheduled");
        Assert.Equal("Unschedulable", condition.Reason);
        // Other tests' nodes in the shared silo fail the node selector; ours lack cpu.
        Assert.Matches(@"^0/\d+ nodes are available: 2 Insufficient cpu(, \d+ node\(s\) didn't match Pod's node affinity/selector)?\.$", condition.Message);
        Assert.Null(pending.Spec.NodeName);

        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-c", cpu: "4", labels: Pool(pool)));

        Assert.Equal($"{pool}-c", (await WaitBoundAsync("default", pool)).Spec.NodeName);
    }

    [Fact]
    public async Task EqualNodes_SharePodsEvenly()
    {
        var pool = Unique.Name("spread");
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-a", labels: Pool(pool)));
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-b", labels: Pool(pool)));

        for (var i = 0; i < 4; i++)
            await Client.Pods.CreateAsync(Objects.Pod("default", $"{pool}-{i}", cpu: "100m", nodeSelector: Pool(pool), schedulerName: null));

        var nodes = new List<string>();
        for (var i = 0; i < 4; i++)
            nodes.Add((await WaitBoundAsync("default", $"{pool}-{i}")).Spec.NodeName!);
        Assert.Equal(2, nodes.Count(n => n == $"{pool}-a"));
        Assert.Equal(2, nodes.Count(n => n == $"{pool}-b"));
    }

    [Fact]
    public async Task NotReadyOrTaintedNodes_AreSkipped()
    {
        var pool = Unique.Name("taint");
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-down", ready: false, labels: Pool(pool)));
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-tainted", labels: Pool(pool),
            taints: [new Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]));
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-ok", labels: Pool(pool)));

        await Client.Pods.CreateAsync(Objects.Pod("default", pool, nodeSelector: Pool(pool), schedulerName: null));

        Assert.Equal($"{pool}-ok", (await WaitBoundAsync("default", pool)).Spec.NodeName);
    }

    private Task<Pod> WaitBoundAsync(string ns, string name) =>
        Eventually.Until(() => Client.Pods.GetAsync(ns, name), p => p.Spec.NodeName is not null, $"pod {ns}/{name} bound by the scheduler");
}
