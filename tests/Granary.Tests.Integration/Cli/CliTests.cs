using System.Text.Json.Nodes;
using Granary.Client;
using Granary.Model;
using Granary.Serialization;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Cli;

/// <summary>The real granary CLI process against a real silo process, asserting on what a user sees.</summary>
public sealed class CliTests(CliClusterFixture cluster) : IClassFixture<CliClusterFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-cli-").FullName;

    private CliRunner Cli => cluster.Cli;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string PodYaml(string name, string cpu = "100m", string extraLabels = "", string nodeSelector = "") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          labels:
            app: {name}{extraLabels}
        spec:
        {nodeSelector}  containers:
          - name: main
            image: local/busybox:1
            command: [sleep, "3600"]
            resources:
              requests:
                cpu: {cpu}
                memory: 32Mi
        """;

    private static string NodeYaml(string name, string cpu, string pool) => $"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {name}
          labels:
            pool: {pool}
        status:
          capacity:
            cpu: "{cpu}"
            memory: 4Gi
            pods: "110"
          conditions:
          - type: Ready
            status: "True"
        """;

    private static void AssertOk(CliResult r)
    {
        if (r.ExitCode != 0)
            Assert.Fail($"expected success: {r}");
    }

    [Fact]
    public async Task Apply_CreatesThenReportsUnchangedThenConfigured()
    {
        var file = Write("web.yaml", NodeYaml("apply-n1", "4", "apply") + "\n---\n" + PodYaml("apply-web", nodeSelector: "  nodeSelector:\n    pool: apply\n"));

        var first = await Cli.RunAsync(["apply", "-f", file]);
        var second = await Cli.RunAsync(["apply", "-f", file]);
        File.WriteAllText(file, File.ReadAllText(file).Replace("app: apply-web", "app: apply-web\n    tier: front", StringComparison.Ordinal));
        var third = await Cli.RunAsync(["apply", "-f", file]);

        AssertOk(first);
        Assert.Equal("node/apply-n1 created\npod/apply-web created\n", first.Stdout);
        Assert.Equal("node/apply-n1 unchanged\npod/apply-web unchanged\n", second.Stdout);
        Assert.Equal("node/apply-n1 unchanged\npod/apply-web configured\n", third.Stdout);
    }

    [Fact]
    public async Task Apply_FromStdin_CreatesTheObject()
    {
        var r = await Cli.RunAsync(["apply", "-f", "-"], stdin: PodYaml("stdin-pod"));

        AssertOk(r);
        Assert.Equal("pod/stdin-pod created\n", r.Stdout);
    }

    [Fact]
    public async Task Apply_InvalidPod_PrintsOneLineNamingObjectAndField_AndExitsNonZero()
    {
        var file = Write("bad.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: bad
            spec:
              containers:
              - name: main
            """);

        var r = await Cli.RunAsync(["apply", "-f", file]);

        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("pod/bad", line, StringComparison.Ordinal);
        Assert.Contains("spec.containers[0].image: Required value", line, StringComparison.Ordinal);
        var get = await Cli.RunAsync(["get", "pod", "bad"]);
        Assert.Equal("Error from server (NotFound): pods \"bad\" not found\n", get.Stderr);
        Assert.Equal(1, get.ExitCode);
    }

    [Fact]
    public async Task Get_ShowsKubectlTables_AndTheScheduledNodeWithWide()
    {
        AssertOk(await Cli.RunAsync(["apply", "-f", Write("n.yaml", NodeYaml("get-n1", "4", "get"))]));
        AssertOk(await Cli.RunAsync(["apply", "-f", Write("p.yaml", PodYaml("get-web", nodeSelector: "  nodeSelector:\n    pool: get\n"))]));

        await WaitForPodAsync("get-web", p => p.Spec.NodeName == "get-n1", "pod get-web scheduled to get-n1");
        var wide = await Cli.RunAsync(["get", "pods", "get-web", "-o", "wide"]);
        var lines = wide.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE", lines[0]);
        Assert.Matches(@"^get-web\s+0/1\s+Pending\s+0\s+\d+s\s+<none>\s+get-n1", lines[1]);

        var plain = await Cli.RunAsync(["get", "pods", "-l", "app=get-web"]);
        AssertOk(plain);
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n", plain.Stdout);

        var nodes = await Cli.RunAsync(["get", "nodes", "get-n1"]);
        Assert.Matches(@"^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nget-n1\s+Ready\s+<none>\s+", nodes.Stdout);

        var namespaces = await Cli.RunAsync(["get", "ns"]);
        Assert.Matches(@"(?m)^default\s+Active\s+", namespaces.Stdout);
        Assert.Matches(@"(?m)^kube-system\s+Active\s+", namespaces.Stdout);

        var all = await Cli.RunAsync(["get", "pods", "-A", "-l", "app=get-web"]);
        Assert.Matches(@"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\ndefault\s+get-web\s+", all.Stdout);
    }

    [Fact]
    public async Task Get_OutputFormats_AreKubernetesShaped()
    {
        AssertOk(await Cli.RunAsync(["apply", "-f", Write("p.yaml", PodYaml("fmt-web"))]));

        var name = await Cli.RunAsync(["get", "pods", "-l", "app=fmt-web", "-o", "name"]);
        Assert.Equal("pod/fmt-web\n", name.Stdout);

        var list = JsonNode.Parse((await Cli.RunAsync(["get", "pods", "-l", "app=fmt-web", "-o", "json"])).Stdout)!;
        Assert.Equal("List", list["kind"]!.GetValue<string>());
        var item = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal("fmt-web", item["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("100m", item["spec"]!["containers"]![0]!["resources"]!["requests"]!["cpu"]!.GetValue<string>());

        var single = JsonNode.Parse((await Cli.RunAsync(["get", "pod", "fmt-web", "-o", "json"])).Stdout)!;
        Assert.Equal("Pod", single["kind"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(single["metadata"]!["uid"]!.GetValue<string>()));

        var yaml = await Cli.RunAsync(["get", "pod", "fmt-web", "-o", "yaml"]);
        Assert.StartsWith("apiVersion: v1\nkind: Pod\nmetadata:\n", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("  name: fmt-web\n", yaml.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_PendingPod_SaysWhyPerNode()
    {
        AssertOk(await Cli.RunAsync(["apply", "-f", Write("n.yaml", NodeYaml("desc-n1", "1", "desc"))]));
        AssertOk(await Cli.RunAsync(["apply", "-f", Write("p.yaml", PodYaml("desc-big", cpu: "2", nodeSelector: "  nodeSelector:\n    pool: desc\n"))]));

        await WaitForPodAsync("desc-big", p => p.Status?.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False" }) == true, "pod desc-big marked unschedulable");
        var r = await Cli.RunAsync(["describe", "pod", "desc-big"]);

        Assert.Matches(@"(?m)^Name:\s+desc-big$", r.Stdout);
        Assert.Matches(@"(?m)^Status:\s+Pending$", r.Stdout);
        Assert.Matches(@"0/\d+ nodes are available: 1 Insufficient cpu", r.Stdout);
    }

    [Fact]
    public async Task Delete_RemovesThePod_AndASecondDeleteSaysNotFound()
    {
        AssertOk(await Cli.RunAsync(["apply", "-f", Write("p.yaml", PodYaml("del-web"))]));

        var deleted = await Cli.RunAsync(["delete", "pod", "del-web"]);
        var again = await Cli.RunAsync(["delete", "pod", "del-web"]);

        AssertOk(deleted);
        Assert.Equal("pod \"del-web\" deleted\n", deleted.Stdout);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("Error from server (NotFound): pods \"del-web\" not found\n", again.Stderr);
    }

    [Fact]
    public async Task GetWatch_PrintsARowForEachChange_UntilStopped()
    {
        await using var watch = Cli.Start("get", "pods", "-l", "app=watch-web", "-w");
        // The watch has listed (nothing yet) and is waiting: kubectl prints this line for an empty list.
        await watch.WaitForLineAsync("No resources found", TimeSpan.FromSeconds(60), "watch listing");

        AssertOk(await Cli.RunAsync(["apply", "-f", Write("p.yaml", PodYaml("watch-web"))]));
        await watch.WaitForLineAsync("watch-web", TimeSpan.FromSeconds(60), "watch row for the created pod");
        AssertOk(await Cli.RunAsync(["delete", "pod", "watch-web"]));
        await watch.StopAsync();

        Assert.Equal(0, watch.ExitCode);
        var rows = watch.Output.Split('\n').Where(l => l.StartsWith("watch-web", StringComparison.Ordinal)).ToList();
        Assert.True(rows.Count >= 2, $"expected a row for the create and for the delete:\n{watch.Output}");
    }

    [Fact]
    public async Task ClusterStatus_ListsTheSiloAndObjectCounts()
    {
        var r = await Cli.RunAsync(["cluster", "status"]);

        AssertOk(r);
        Assert.Contains($"127.0.0.1:{cluster.Silo.SiloPort}", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Namespace\s+\d+\s+\d+", r.Stdout);
        Assert.Matches(@"(?m)^Pod\s+\d+\s+\d+", r.Stdout);
    }

    [Fact]
    public async Task UnreachableCluster_SaysWhatWasTriedAndHowToFix()
    {
        var cli = CliRunner.ForGateway($"127.0.0.1:{FreePort.Next()}", cluster.ClusterId);

        var r = await cli.RunAsync(["get", "pods"], timeout: TimeSpan.FromSeconds(90));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("could not reach the Granary cluster", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("--gateway", r.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Waits, through a watch (a barrier, not a poll), until the scheduler has done what the test then reads with the
    /// CLI. A timeout names the phase and the last state seen.
    /// </summary>
    private async Task WaitForPodAsync(string name, Func<Pod, bool> done, string phase)
    {
        await using var client = await GranaryClient.ConnectAsync(cluster.Pki.Client(new GranaryClientOptions { Gateways = [cluster.Silo.Gateway], ClusterId = cluster.ClusterId }));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Pod? last = null;
        try
        {
            await foreach (var e in client.Pods.WatchAsync(new WatchOptions { Namespace = "default", FieldSelector = $"metadata.name={name}" }, cts.Token))
            {
                last = e.Object;
                if (done(last))
                    return;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"{phase}: never seen; last state: {(last is null ? "none" : GranaryJson.Serialize(last))}");
        }
    }
}
