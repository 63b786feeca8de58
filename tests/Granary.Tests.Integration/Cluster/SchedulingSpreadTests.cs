using System.Text.RegularExpressions;
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
        await ApplyAsync(Deployment("lonely", 4, cluster.Dockerd.Image, placement));

        var pods = await UntilAsync("two lonely replicas Running and two Pending",
            r => Rows(r).Count(p => p.Status == "Running") == 2 && Rows(r).Count(p => p.Status == "Pending") == 2,
            "get", "pods", "-l", "app=lonely", "-o", "wide", "--no-headers");

        var running = Rows(pods).Where(p => p.Status == "Running").Select(p => p.Node).Order().ToArray();
        Assert.Equal(["spread-a", "spread-b"], running);
        var pending = Rows(pods).First(p => p.Status == "Pending").Name;
        var describe = await UntilAsync($"kubectl describe pod {pending} shows FailedScheduling",
            r => r.Stdout.Contains("FailedScheduling", StringComparison.Ordinal), "describe", "pod", pending);
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
        await ApplyAsync(Deployment("even", 4, cluster.Dockerd.Image, placement));

        var pods = await UntilAsync("four even replicas Running",
            r => Rows(r).Count(p => p.Status == "Running") == 4,
            "get", "pods", "-l", "app=even", "-o", "wide", "--no-headers");

        var perNode = Rows(pods).GroupBy(p => p.Node).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, perNode.GetValueOrDefault("spread-a"));
        Assert.Equal(2, perNode.GetValueOrDefault("spread-b"));
    }

    private sealed record PodRow(string Name, string Status, string Node);

    // kubectl get pods -o wide --no-headers: NAME READY STATUS RESTARTS AGE IP NODE NOMINATED-NODE READINESS-GATES.
    private static IEnumerable<PodRow> Rows(CliResult r) =>
        r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => Regex.Split(line.Trim(), @"\s+"))
            .Where(f => f.Length >= 7)
            .Select(f => new PodRow(f[0], f[2], f[6]));

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

    /// <summary>Repeats a kubectl command until its output satisfies the condition; fails naming the phase, the last output and the processes' output.</summary>
    private async Task<CliResult> UntilAsync(string phase, Func<CliResult, bool> done, params string[] args)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var r = await Kubectl.RunAsync(args);
            if (r.ExitCode == 0 && done(r))
                return r;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{phase}: kubectl {string.Join(' ', args)} never gave the expected output; last: {r}\n{cluster.RecentOutput()}");
            await Task.Delay(250);
        }
    }
}
