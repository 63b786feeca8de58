using System.Text.RegularExpressions;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Cluster;

/// <summary>Two nodes at start (blocks 25 and 26); the third (block 27) joins and leaves in a test.</summary>
public sealed class DaemonSetCluster() : MultiNodeCluster([new ClusterNode("ds-a", 25), new ClusterNode("ds-b", 26), new ClusterNode("ds-c", 27)]), IAsyncLifetime
{
    protected override bool StartAgentsAtStart => false;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await Task.WhenAll(StartAgentAsync("ds-a"), StartAgentAsync("ds-b"));
    }
}

/// <summary>
/// DaemonSets end to end with real processes: a silo, agents on one dockerd, the real kubectl. A pod runs on every
/// node and follows nodes as they join and leave; rollout restart, status, history and undo work as against
/// Kubernetes, through kubectl's own reading of the ControllerRevisions.
/// </summary>
public sealed class DaemonSetTests(DaemonSetCluster cluster) : IClassFixture<DaemonSetCluster>
{
    private const string Hash = "[bcdfghjklmnpqrstvwxz2456789]+";

    private static string Manifest(string name) => $"""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: {name}
          labels:
            app: {name}
        spec:
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: main
                image: local/busybox:1
                command: [sleep, "3600"]
        """;

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    private CliResult Ok(CliResult r, string phase) =>
        r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"{phase}: expected success: {r}\n{cluster.RecentOutput()}");

    private static async Task ApplyAsync(Kubectl kubectl, string name)
    {
        var r = Ok(await kubectl.RunWithStdinAsync(Manifest(name), "apply", "-f", "-"));
        Assert.Equal($"daemonset.apps/{name} created\n", r.Stdout);
    }

    private async Task RolloutStatusAsync(Kubectl kubectl, string name, string phase)
    {
        var r = Ok(await kubectl.RunAsync("rollout", "status", $"daemonset/{name}", "--timeout=55s"), phase);
        Assert.EndsWith($"daemon set \"{name}\" successfully rolled out\n", r.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Waits (kubectl's watch) until the DaemonSet's desired count is <paramref name="desired"/>.</summary>
    private async Task WaitDesiredAsync(Kubectl kubectl, string name, int desired, string phase) =>
        Ok(await kubectl.RunAsync("wait", $"daemonset/{name}", $"--for=jsonpath={{.status.desiredNumberScheduled}}={desired}", "--timeout=55s"), phase);

    private static async Task<string[]> PodNodesAsync(Kubectl kubectl, string name) =>
        [.. (await LivePodsAsync(kubectl, name, "{.spec.nodeName}")).Order(StringComparer.Ordinal)];

    /// <summary>A field of each of the DaemonSet's pods that is not being deleted (an old pod may still be stopping).</summary>
    private static async Task<string[]> LivePodsAsync(Kubectl kubectl, string name, string field)
    {
        var r = Ok(await kubectl.RunAsync("get", "pods", "-l", $"app={name}", "-o",
            $"jsonpath={{range .items[*]}}{field} {{.metadata.deletionTimestamp}}{{\"\\n\"}}{{end}}"));
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.EndsWith(' ')).Select(l => l.TrimEnd())];
    }

    [Fact]
    public async Task DaemonSet_RunsOnePodPerNode_AndFollowsNodesJoiningAndLeaving()
    {
        var kubectl = cluster.Kubectl;
        const string name = "dsnodes";
        await ApplyAsync(kubectl, name);
        await RolloutStatusAsync(kubectl, name, "the first two nodes' pods");
        Assert.Equal(["ds-a", "ds-b"], await PodNodesAsync(kubectl, name));
        var table = Ok(await kubectl.RunAsync("get", "ds", name));
        Assert.Matches($@"^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n{name}\s+2\s+2\s+2\s+2\s+2\s+<none>\s+\d+s\n$", table.Stdout);
        var pods = Ok(await kubectl.RunAsync("get", "pods", "-l", $"app={name}", "--no-headers"));
        Assert.Equal(2, Regex.Count(pods.Stdout, $@"(?m)^{name}-[bcdfghjklmnpqrstvwxz2456789]{{5}}\s+1/1\s+Running\s+0\s+"));

        await cluster.StartAgentAsync("ds-c");
        await WaitDesiredAsync(kubectl, name, 3, "the DaemonSet sees the third node");
        await RolloutStatusAsync(kubectl, name, "the third node's pod");
        Assert.Equal(["ds-a", "ds-b", "ds-c"], await PodNodesAsync(kubectl, name));

        var onC = Ok(await kubectl.RunAsync("get", "pods", "-l", $"app={name}", "-o", "jsonpath={.items[?(@.spec.nodeName==\"ds-c\")].metadata.name}")).Stdout;
        Assert.Matches($"^{name}-", onC);
        await cluster.StopAgentAsync("ds-c");
        Assert.Equal("node \"ds-c\" deleted\n", Ok(await kubectl.RunAsync("delete", "node", "ds-c")).Stdout);
        await WaitDesiredAsync(kubectl, name, 2, "the DaemonSet sees the third node go");
        Ok(await kubectl.RunAsync("wait", "--for=delete", $"pod/{onC}", "--timeout=55s"), "the deleted node's pod goes");
        Assert.Equal(["ds-a", "ds-b"], await PodNodesAsync(kubectl, name));
        await RolloutStatusAsync(kubectl, name, "two nodes again");

        var describe = Ok(await kubectl.RunAsync("describe", "ds", name));
        Assert.Matches(@"(?m)^Desired Number of Nodes Scheduled: 2$", describe.Stdout);
        Assert.Matches(@"(?m)^Pods Status:\s+2 Running / 0 Waiting / 0 Succeeded / 0 Failed$", describe.Stdout);
        Assert.Matches($@"SuccessfulCreate\s+.*Created pod: {name}-", describe.Stdout);
        Ok(await kubectl.RunAsync("delete", "ds", name));
    }

    [Theory]
    [InlineData("1.27")]
    [InlineData("1.33")]
    public async Task Rollout_RestartStatusHistoryUndo_WorkThroughKubectl(string minor)
    {
        var binary = Kubectl.Versioned(minor);
        if (binary is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"kubectl.{minor} (Cloud SDK bundle) is not installed");
            return;
        }
        // The rollout commands are each version's own; apply is the default kubectl's (kubectl 1.27's apply and create
        // validate against OpenAPI v2, which this server does not serve).
        var kubectl = cluster.Kubectl.WithBinary(binary);
        var name = $"dsroll{minor.Replace(".", "")}";
        await ApplyAsync(cluster.Kubectl, name);
        await RolloutStatusAsync(kubectl, name, "the first rollout");
        var first = (await PodHashesAsync(kubectl, name)).Single();

        Assert.Equal($"daemonset.apps/{name} restarted\n", Ok(await kubectl.RunAsync("rollout", "restart", $"daemonset/{name}")).Stdout);
        await RolloutStatusAsync(kubectl, name, "the restart");
        var restarted = (await PodHashesAsync(kubectl, name)).Single();
        Assert.NotEqual(first, restarted);
        var history = Ok(await kubectl.RunAsync("rollout", "history", $"daemonset/{name}"));
        Assert.Matches(@"(?m)^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>$", history.Stdout);
        var revision2 = Ok(await kubectl.RunAsync("rollout", "history", $"daemonset/{name}", "--revision=2"));
        Assert.Matches($@"^daemonset\.apps/{name} with revision #2\nPod Template:\n\s+Labels:\s+app={name}\n\s+Annotations:\s+kubectl\.kubernetes\.io/restartedAt: ", revision2.Stdout);

        Assert.Equal($"daemonset.apps/{name} rolled back\n", Ok(await kubectl.RunAsync("rollout", "undo", $"daemonset/{name}")).Stdout);
        Assert.Equal("", Ok(await kubectl.RunAsync("get", "daemonset", name, "-o", "jsonpath={.spec.template.metadata.annotations}")).Stdout);
        await RolloutStatusAsync(kubectl, name, "the undo");
        Assert.Equal(first, (await PodHashesAsync(kubectl, name)).Single());
        // Undo is a new revision of the old template: revision 1 became 3.
        var revisions = Ok(await kubectl.RunAsync("get", "controllerrevisions", "-l", $"app={name}", "--sort-by=.revision", "--no-headers"));
        Assert.Matches($@"^{name}-{restarted}\s+daemonset\.apps/{name}\s+2\s+\d+s\n{name}-{first}\s+daemonset\.apps/{name}\s+3\s+\d+s\n$", revisions.Stdout);
        var skipped = Ok(await kubectl.RunAsync("rollout", "undo", $"daemonset/{name}", "--to-revision=3"));
        Assert.Matches($@"^daemonset\.apps/{name} skipped rollback \(current template already matches revision 3\)\n$", skipped.Stdout);
        Ok(await kubectl.RunAsync("delete", "ds", name));
    }

    private static async Task<string[]> PodHashesAsync(Kubectl kubectl, string name)
    {
        var hashes = (await LivePodsAsync(kubectl, name, "{.metadata.labels.controller-revision-hash}")).Distinct().ToArray();
        Assert.All(hashes, h => Assert.Matches($"^{Hash}$", h));
        return hashes;
    }
}
