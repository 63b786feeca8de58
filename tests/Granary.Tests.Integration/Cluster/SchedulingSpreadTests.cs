using Granary.Model;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Cluster;

/// <summary>Two nodes (blocks 29 and 30): one silo and two agents on one private dockerd.</summary>
public sealed class SpreadCluster() : MultiNodeCluster([new("spread-a", 29), new("spread-b", 30)]);

/// <summary>
/// Pod anti-affinity and topology spread end to end: the real kubectl applies Deployments, the scheduler places the
/// replicas on the two agents' nodes, and the agents run them on the shared engine.
/// </summary>
public sealed class SchedulingSpreadTests(SpreadCluster cluster) : IClassFixture<SpreadCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Kubectl Kubectl => cluster.Kubectl;

    private static string Deployment(string name, int replicas, string image, string placement) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels:
              app: {{name}}
          template:
            metadata:
              labels:
                app: {{name}}
            spec:
              terminationGracePeriodSeconds: 1
        {{placement}}
              containers:
              - name: main
                image: {{image}}
                command: [sleep, "3600"]
        """;

    [Fact]
    public async Task RequiredAntiAffinityOnHostname_FourReplicasOnTwoNodes_TwoRunTwoPendingWithKubesMessage()
    {
        var placement = """
                  affinity:
                    podAntiAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - labelSelector:
                          matchLabels:
                            app: lonely
                        topologyKey: kubernetes.io/hostname
            """;
        await using var tracker = new PodTracker(cluster.Client, "default");
        await ApplyAsync(Deployment("lonely", 4, cluster.Dockerd.Image, placement));

        var pods = Labelled(await tracker.WaitAsync(
            all => Labelled(all, "lonely").Count(IsRunning) == 2 && Labelled(all, "lonely").Count(IsUnschedulable) == 2,
            Timeout, "two lonely replicas Running and two Unschedulable"), "lonely");
        Assert.Equal(["spread-a", "spread-b"], pods.Where(IsRunning).Select(p => p.Spec.NodeName!).Order().ToArray());

        // The event is written after the pod's condition: wait for it through a list watch, then describe once.
        var pending = pods.First(IsUnschedulable).Metadata.Name!;
        await using (var events = Kubectl.Start("get", "events", "--field-selector", $"involvedObject.name={pending},reason=FailedScheduling", "--watch", "-o", "name"))
            await events.WaitForLineAsync("event/", Timeout, $"the FailedScheduling event of pod {pending}");
        var describe = await Kubectl.RunAsync("describe", "pod", pending);
        Assert.True(describe.ExitCode == 0, $"kubectl describe pod {pending}: {describe}");
        Assert.Matches(
            @"(?m)^\s+Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0/2 nodes are available: 2 node\(s\) didn't match pod anti-affinity rules\.$",
            describe.Stdout);
        Assert.Matches(@"(?m)^\s+PodScheduled\s+False\s*$", describe.Stdout);
    }

    [Fact]
    public async Task TopologySpreadOnHostname_FourReplicas_TwoOnEachNode()
    {
        var placement = """
                  topologySpreadConstraints:
                  - maxSkew: 1
                    topologyKey: kubernetes.io/hostname
                    whenUnsatisfiable: DoNotSchedule
                    labelSelector:
                      matchLabels:
                        app: even
            """;
        await using var tracker = new PodTracker(cluster.Client, "default");
        await ApplyAsync(Deployment("even", 4, cluster.Dockerd.Image, placement));

        var pods = Labelled(await tracker.WaitAsync(all => Labelled(all, "even").Count(IsRunning) == 4, Timeout, "four even replicas Running"), "even");
        var perNode = pods.GroupBy(p => p.Spec.NodeName ?? "").ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, perNode.GetValueOrDefault("spread-a"));
        Assert.Equal(2, perNode.GetValueOrDefault("spread-b"));
    }

    private static List<Pod> Labelled(IEnumerable<Pod> pods, string app) =>
        [.. pods.Where(p => p.Metadata.Labels?.GetValueOrDefault("app") == app && p.Metadata.DeletionTimestamp is null)];

    private static bool IsRunning(Pod pod) => pod.Status?.Phase == "Running" && pod.Spec.NodeName is not null;

    private static bool IsUnschedulable(Pod pod) =>
        pod.Spec.NodeName is null && pod.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable") == true;

    private async Task ApplyAsync(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"granary-spread-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            var r = await Kubectl.RunAsync("apply", "-f", file);
            Assert.True(r.ExitCode == 0, $"kubectl apply: {r}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
