using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Tests.Integration.Agent;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Autoscaling;

/// <summary>Node top-node (block 97) with a private dockerd; its agent reads usage every 2 s instead of 15 s.</summary>
public sealed class TopCluster() : AgentClusterFixture("top-node", block: 97)
{
    protected override IReadOnlyDictionary<string, string> AgentEnvironment =>
        new Dictionary<string, string> { ["GRANARY_METRICSRESOLUTION"] = "00:00:02" };
}

/// <summary>
/// The metrics API and the HorizontalPodAutoscaler end to end on real processes (silo, agent, dockerd) through the real
/// kubectl: a busybox busy loop and an idle sleeper, seen by kubectl top (pods with --containers, -l, -A, --sort-by, and
/// the node) in the oldest and newest kubectl; the objects as metrics-server shapes them; and kubectl autoscale on a
/// Deployment of busy loops that the autoscaler scales up, saying why.
/// </summary>
public sealed class TopAndAutoscalingTests(TopCluster cluster) : IClassFixture<TopCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Kubectl Kubectl => cluster.Kubectl;

    private static string Pod(string name, string command, string cpuRequest) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          labels:
            app: top
            role: {{name}}
        spec:
          terminationGracePeriodSeconds: 0
          containers:
          - name: main
            image: {{BusyboxImage}}
            command: [sh, -c, "{{command}}"]
            resources:
              requests:
                cpu: {{cpuRequest}}
        """;

    private static string BusyboxImage => Granary.NodeAgent.Runtime.Docker.BusyboxImage.Name;

    private async Task ApplyAsync(string manifest)
    {
        var applied = await Kubectl.RunWithStdinAsync(manifest, "apply", "-f", "-");
        Assert.True(applied.ExitCode == 0, $"kubectl apply: {applied}");
    }

    private async Task<CliResult> RunAsync(params string[] args) => await Kubectl.RunAsync(args);

    /// <summary>Waits until kubectl succeeds with the arguments (the metrics of a new pod need two readings), and returns its output.</summary>
    private Task<string> WhenServedAsync(Kubectl kubectl, string phase, params string[] args) =>
        WhenServedAsync(kubectl, phase, _ => true, args);

    /// <summary>
    /// As above, until the output also satisfies <paramref name="complete"/>: a list shows only the pods that have
    /// metrics already (as metrics-server's does), so one pod's row can come a resolution before another's.
    /// </summary>
    private async Task<string> WhenServedAsync(Kubectl kubectl, string phase, Func<string, bool> complete, params string[] args)
    {
        CliResult? last = null;
        await Waiting.UntilAsync(async () => (last = await kubectl.RunAsync(args)).ExitCode == 0 && complete(last.Stdout), Timeout, phase,
            () => $"kubectl {string.Join(' ', args)}: {last}{cluster.RecentOutput()}");
        return last!.Stdout;
    }

    [Fact]
    public async Task KubectlTop_OfABusyAndAnIdlePod_ShowsTheirUsageAndTheNodes()
    {
        await ApplyAsync(Pod("burner", "while :; do :; done", "100m") + "\n---\n" + Pod("idler", "sleep 3600", "10m"));
        try
        {
            var pods = await WhenServedAsync(Kubectl, "kubectl top pod of both pods",
                table => Regex.IsMatch(table, @"(?m)^burner\s") && Regex.IsMatch(table, @"(?m)^idler\s"), "top", "pod", "-l", "app=top");
            var burner = CpuOf(pods, "burner");
            var idler = CpuOf(pods, "idler");
            Assert.True(burner > idler, $"the busy loop uses more CPU than the sleeper:\n{pods}");
            Assert.Matches(@"(?m)^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$", pods);

            var sorted = await RunAsync("top", "pod", "-A", "--sort-by=cpu");
            Assert.True(sorted.ExitCode == 0, $"kubectl top pod -A --sort-by=cpu: {sorted}");
            Assert.Matches(@"^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n\s*default\s+burner\s", sorted.Stdout);

            var containers = await RunAsync("top", "pod", "idler", "--containers");
            Assert.True(containers.ExitCode == 0, $"kubectl top pod --containers: {containers}");
            Assert.Matches(@"(?m)^idler\s+main\s+\d+m\s+\d+Mi\s*$", containers.Stdout);

            foreach (var minor in new[] { "1.27", "1.33" })
            {
                if (Kubectl.WithVersion(minor) is not { } versioned)
                    continue;
                var nodes = await WhenServedAsync(versioned, $"kubectl {minor} top node", "top", "node");
                Assert.Matches(@"(?m)^top-node\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%", nodes);
                var pod = await WhenServedAsync(versioned, $"kubectl {minor} top pod burner", "top", "pod", "burner");
                Assert.Matches(@"(?m)^burner\s+\d+m\s+\d+Mi\s*$", pod);
            }

            var raw = await RunAsync("get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burner");
            Assert.True(raw.ExitCode == 0, $"get --raw PodMetrics: {raw}");
            var metrics = JsonNode.Parse(raw.Stdout)!;
            Assert.Equal("PodMetrics", (string?)metrics["kind"]);
            Assert.Equal("metrics.k8s.io/v1beta1", (string?)metrics["apiVersion"]);
            Assert.Equal("burner", (string?)metrics["metadata"]!["labels"]!["role"]);
            Assert.Matches(@"^\d+(\.\d+)?s$", (string?)metrics["window"]);
            Assert.Matches(@"^\d+[num]?$", (string?)metrics["containers"]![0]!["usage"]!["cpu"]);
            Assert.Matches(@"^\d+(Ki|Mi)?$", (string?)metrics["containers"]![0]!["usage"]!["memory"]);

            var missing = await RunAsync("top", "pod", "nobody");
            Assert.NotEqual(0, missing.ExitCode);
            Assert.Contains("podmetrics.metrics.k8s.io \"default/nobody\" not found", missing.Stderr);
        }
        finally
        {
            await RunAsync("delete", "pod", "burner", "idler", "--wait=false");
        }
    }

    [Fact]
    public async Task KubectlAutoscale_OnADeploymentOfBusyLoops_ScalesItUpAndSaysWhy()
    {
        await ApplyAsync($$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: spinner
            spec:
              replicas: 1
              selector:
                matchLabels: {app: spinner}
              template:
                metadata:
                  labels: {app: spinner}
                spec:
                  terminationGracePeriodSeconds: 0
                  containers:
                  - name: main
                    image: {{BusyboxImage}}
                    command: [sh, -c, "while :; do :; done"]
                    resources:
                      requests: {cpu: 20m}
            """);
        try
        {
            var autoscale = await RunAsync("autoscale", "deployment/spinner", "--cpu-percent=50", "--min=1", "--max=3");
            Assert.True(autoscale.ExitCode == 0, $"kubectl autoscale: {autoscale}");
            Assert.Contains("horizontalpodautoscaler.autoscaling/spinner autoscaled", autoscale.Stdout);

            // Short windows through the behavior: no scale-up stabilization (the default), and a scale-down window of 0.
            var patched = await RunAsync("patch", "hpa", "spinner", "--type=merge", "-p", """{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":0}}}}""");
            Assert.True(patched.ExitCode == 0, $"kubectl patch hpa: {patched}");

            string? state = null;
            await Waiting.UntilAsync(async () =>
            {
                var replicas = await RunAsync("get", "deployment", "spinner", "-o", "jsonpath={.spec.replicas}");
                state = replicas.Stdout;
                return replicas.Stdout == "3";
            }, Timeout, "the autoscaler scaling deployment spinner to 3", () => $"spec.replicas {state}{cluster.RecentOutput()}");

            var describe = await RunAsync("describe", "hpa", "spinner");
            Assert.True(describe.ExitCode == 0, $"kubectl describe hpa: {describe}");
            Assert.Matches(@"(?m)^\s+Normal\s+SuccessfulRescale\s+.*horizontal-pod-autoscaler\s+New size: 3; reason: cpu resource utilization \(percentage of request\) above target$", describe.Stdout);
            Assert.Matches(@"(?m)^\s+AbleToScale\s+True\s+(SucceededRescale|ReadyForNewScale)\s", describe.Stdout);
            Assert.Matches(@"(?m)^\s+ScalingLimited\s+True\s+TooManyReplicas\s+the desired replica count is more than the maximum replica count$", describe.Stdout);

            var table = await RunAsync("get", "hpa", "spinner");
            Assert.True(table.ExitCode == 0, $"kubectl get hpa: {table}");
            Assert.Matches(@"(?m)^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\s*$", table.Stdout);
            Assert.Matches(@"(?m)^spinner\s+Deployment/spinner\s+cpu: (\d+%|<unknown>)/50%\s+1\s+3\s+\d\s+\S+\s*$", table.Stdout);

            var v1 = await RunAsync("get", "horizontalpodautoscalers.v1.autoscaling", "spinner", "-o", "jsonpath={.spec.targetCPUUtilizationPercentage}");
            Assert.True(v1.ExitCode == 0 && v1.Stdout == "50", $"the v1 object: {v1}");
        }
        finally
        {
            await RunAsync("delete", "hpa", "spinner", "--wait=false");
            await RunAsync("delete", "deployment", "spinner", "--wait=false");
        }
    }

    /// <summary>The CPU(cores) cell of a pod's row in kubectl top's table, in millicores.</summary>
    private static int CpuOf(string table, string pod)
    {
        var match = Regex.Match(table, $@"(?m)^{pod}\s+(\d+)m\s");
        Assert.True(match.Success, $"a row for {pod} with CPU in millicores:\n{table}");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
