using System.Collections.Immutable;
using Granary.Api;
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
        // Other tests' nodes in the shared silo fail earlier filters (selector, readiness, taints); ours lack cpu.
        var message = condition.Message ?? "";
        Assert.Matches(@"^0/\d+ nodes are available: .*\.$", message);
        var reasons = message[(message.IndexOf(": ", StringComparison.Ordinal) + 2)..^1].Split(", ");
        Assert.Contains("2 Insufficient cpu", reasons);
        Assert.All(reasons.Where(r => r != "2 Insufficient cpu"), r => Assert.Matches(@"^\d+ node\(s\) (didn't match Pod's node affinity/selector|were not ready|had untolerated taint \{.*\})$", r));
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

    [Fact]
    public async Task AntiAffineReplicas_OnePerNode_TheRestPendingWithKubesReason()
    {
        var pool = Unique.Name("anti");
        foreach (var n in new[] { "a", "b" })
            await Client.Nodes.CreateAsync(Objects.Node($"{pool}-{n}", labels: Objects.Labels(("pool", pool), ("kubernetes.io/hostname", $"{pool}-{n}"))));
        var labels = Objects.Labels(("app", pool));
        var anti = new Affinity
        {
            PodAntiAffinity = new()
            {
                RequiredDuringSchedulingIgnoredDuringExecution = [new() { LabelSelector = new() { MatchLabels = labels }, TopologyKey = "kubernetes.io/hostname" }],
            },
        };
        for (var i = 0; i < 3; i++)
        {
            var pod = Objects.Pod("default", $"{pool}-{i}", labels: labels, nodeSelector: Pool(pool), schedulerName: null);
            await Client.Pods.CreateAsync(pod with { Spec = pod.Spec with { Affinity = anti } });
        }

        var pods = await Eventually.Until(
            async () => await Task.WhenAll(Enumerable.Range(0, 3).Select(i => Client.Pods.GetAsync("default", $"{pool}-{i}"))),
            all => all.Count(p => p.Spec.NodeName is not null) == 2 && all.Any(p => p.Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False" }) == true),
            $"two of the {pool} replicas bound, one unschedulable");

        Assert.Equal(2, pods.Where(p => p.Spec.NodeName is not null).Select(p => p.Spec.NodeName).Distinct().Count());
        var condition = pods.Single(p => p.Spec.NodeName is null).Status!.Conditions!.Single(c => c.Type == "PodScheduled");
        Assert.Contains("2 node(s) didn't match pod anti-affinity rules", condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodWithAffinityToAPodNotYetThere_IsBoundWhenThatPodLands()
    {
        var pool = Unique.Name("aff");
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-a", labels: Objects.Labels(("pool", pool), ("kubernetes.io/hostname", $"{pool}-a"))));
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-b", labels: Objects.Labels(("pool", pool), ("kubernetes.io/hostname", $"{pool}-b"))));
        var follower = Objects.Pod("default", $"{pool}-follower", nodeSelector: Pool(pool), schedulerName: null);
        await Client.Pods.CreateAsync(follower with
        {
            Spec = follower.Spec with
            {
                Affinity = new()
                {
                    PodAffinity = new()
                    {
                        RequiredDuringSchedulingIgnoredDuringExecution =
                            [new() { LabelSelector = new() { MatchLabels = Objects.Labels(("app", $"{pool}-leader")) }, TopologyKey = "kubernetes.io/hostname" }],
                    },
                },
            },
        });
        await Eventually.Until(
            () => Client.Pods.GetAsync("default", $"{pool}-follower"),
            p => p.Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False" } && c.Message!.Contains("2 node(s) didn't match pod affinity rules", StringComparison.Ordinal)) == true,
            $"pod default/{pool}-follower unschedulable for pod affinity");

        await Client.Pods.CreateAsync(Objects.Pod("default", $"{pool}-leader", labels: Objects.Labels(("app", $"{pool}-leader")), nodeSelector: Pool(pool), schedulerName: null));

        var leader = await WaitBoundAsync("default", $"{pool}-leader");
        Assert.Equal(leader.Spec.NodeName, (await WaitBoundAsync("default", $"{pool}-follower")).Spec.NodeName);
    }

    [Fact]
    public async Task Scheduler_NothingToDo_DisarmsItsTimer()
    {
        var pool = Unique.Name("idle");
        await Client.Nodes.CreateAsync(Objects.Node($"{pool}-n", labels: Pool(pool)));
        await Client.Pods.CreateAsync(Objects.Pod("default", pool, nodeSelector: Pool(pool), schedulerName: null));
        await WaitBoundAsync("default", pool);

        var scheduler = Client.Grains.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);
        var idle = await Eventually.Until(scheduler.GetStatsAsync, s => s.Idle, "scheduler idle after binding the pending pod");

        // A wake-up runs exactly one pass and disarms again.
        await scheduler.WakeAsync();
        var after = await Eventually.Until(scheduler.GetStatsAsync, s => s.Passes > idle.Passes && s.Idle, "one pass after a wake-up, then idle");
        Assert.Equal(0, after.Assumed);
    }

    private Task<Pod> WaitBoundAsync(string ns, string name) =>
        Eventually.Until(() => Client.Pods.GetAsync(ns, name), p => p.Spec.NodeName is not null, $"pod {ns}/{name} bound by the scheduler");
}
