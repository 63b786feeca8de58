using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Disruption;

/// <summary>Two agents on one private dockerd (blocks 22 and 23), a Redis-backed silo.</summary>
public sealed class DrainCluster() : MultiNodeCluster([new ClusterNode("drain-a", 22), new ClusterNode("drain-b", 23)]);

/// <summary>
/// cordon, uncordon and drain with the real kubectl against real agents: a 4-replica Deployment on one node with a
/// PodDisruptionBudget of minAvailable 3, and a DaemonSet whose pods drain leaves alone (--ignore-daemonsets). Drain evicts through pods/eviction, is refused with kube's 429 while the budget
/// is short, retries, and finishes once the replacements on the other node are ready; the budget is never broken.
/// </summary>
public sealed class DrainTests(DrainCluster cluster) : IClassFixture<DrainCluster>
{
    private static readonly TimeSpan PodsReady = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan DrainDone = TimeSpan.FromSeconds(180);

    public static TheoryData<string> KubectlVersions => ["1.27", "1.33"];

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Drain_WithABudgetOfThree_WaitsForReplacementsAndNeverBreaksIt(string minor)
    {
        if (cluster.Kubectl.WithVersion(minor) is not { } kubectl)
            return;
        var ns = $"drain{minor.Replace(".", "")}";
        const string target = "drain-a", other = "drain-b";
        await using var pods = new PodTracker(cluster.Client, ns);

        // Every pod on the node to drain: the other one is cordoned while the Deployment starts.
        Assert.Equal($"node/{other} cordoned\n", Ok(await kubectl.RunAsync("cordon", other)).Stdout);
        Assert.Matches($@"(?m)^{other}\s+Ready,SchedulingDisabled\s", Ok(await kubectl.RunAsync("get", "nodes")).Stdout);
        // Applied with the default kubectl: kubectl 1.27's client-side validation wants /openapi/v2, which is not served.
        Ok(await cluster.Kubectl.RunWithStdinAsync(Manifests(ns), "apply", "-f", "-"));
        // A DaemonSet's pods (in their own namespace, so the budget's count stays the Deployment's) stay where they are.
        var daemons = ns + "d";
        Ok(await cluster.Kubectl.RunWithStdinAsync(DaemonSetManifests(daemons), "apply", "-f", "-"));
        Ok(await kubectl.RunAsync("rollout", "status", "ds/agent", "-n", daemons, "--timeout=90s"));
        await pods.WaitAsync(p => p.Count(x => PodTracker.IsHealthy(x) && x.Spec.NodeName == target) == 4, PodsReady, $"4 ready pods of {ns}/web on {target}");
        Ok(await kubectl.RunAsync("create", "pdb", "web", "--selector=app=web", "--min-available=3", "-n", ns));
        Ok(await kubectl.RunAsync("wait", "--for=jsonpath={.status.disruptionsAllowed}=1", "pdb/web", "-n", ns, $"--timeout={PodsReady.TotalSeconds:0}s"));
        Assert.Equal($"node/{other} uncordoned\n", Ok(await kubectl.RunAsync("uncordon", other)).Stdout);

        await using var drain = kubectl.Start("drain", target, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=170s");
        await drain.WaitForLineAsync("Cannot evict pod as it would violate the pod's disruption budget.", DrainDone, $"drain of {target} refused by pdb {ns}/web");
        Assert.Equal(0, await drain.WaitForExitAsync(DrainDone, $"drain of {target}"));
        Assert.Contains($"node/{target} drained", drain.Output);
        Assert.Contains("error when evicting pods/", drain.Output);
        Assert.Matches($@"Warning: ignoring DaemonSet-managed Pods: {daemons}/agent-", drain.Output);
        var daemonPods = Ok(await kubectl.RunAsync("get", "pods", "-n", daemons, "--field-selector", $"spec.nodeName={target}", "-o", "name")).Stdout;
        Assert.True(daemonPods.Trim().Split('\n').Length == 1 && daemonPods.StartsWith("pod/agent-", StringComparison.Ordinal), $"the DaemonSet's pod on {target} must stay: {daemonPods}");

        var final = await pods.WaitAsync(p => p.Count(x => PodTracker.IsHealthy(x) && x.Spec.NodeName == other) == 4, PodsReady, $"4 ready pods of {ns}/web on {other}");
        Assert.DoesNotContain(final, p => p.Spec.NodeName == target);
        Assert.True(pods.FewestHealthyAfterFirstEviction == 3, $"the budget of 3 must hold and be used: fewest healthy pods after the first eviction was {pods.FewestHealthyAfterFirstEviction}");
        Assert.Matches($@"(?m)^{target}\s+Ready,SchedulingDisabled\s", Ok(await kubectl.RunAsync("get", "nodes")).Stdout);

        // Leave both nodes schedulable and empty for the next run.
        Ok(await kubectl.RunAsync("uncordon", target));
        Ok(await kubectl.RunAsync("delete", "namespace", ns, daemons, "--wait=false"));
    }

    private static string DaemonSetManifests(string ns) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {ns}
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: agent
          namespace: {ns}
        spec:
          selector:
            matchLabels:
              app: agent
          template:
            metadata:
              labels:
                app: agent
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: local/busybox:1
                command: [sleep, "3600"]
        """;

    private static string Manifests(string ns) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {ns}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {ns}
        spec:
          replicas: 4
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: local/busybox:1
                command: [sleep, "3600"]
        """;
}
