using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// Deployments and ReplicaSets through the real kubectl, against a silo whose embedded agent really runs the pods (as
/// host processes), so pods become Ready and rollouts finish as they would on a cluster.
/// </summary>
public sealed class KubectlWorkloadTests(KubeApiAgentFixture api) : IClassFixture<KubeApiAgentFixture>
{
    private const string Hash = "[bcdfghjklmnpqrstvwxz2456789]+";
    private const string Suffix = "[bcdfghjklmnpqrstvwxz2456789]{5}";

    private Kubectl Kubectl => api.Kubectl;

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    private static string Manifest(string name, int replicas, string image) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          labels:
            app: {name}
        spec:
          replicas: {replicas}
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
                image: {image}
                command: [sleep, "3600"]
        """;

    private async Task ApplyAsync(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"granary-deploy-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            var r = Ok(await Kubectl.RunAsync("apply", "-f", file));
            Assert.Matches(@"^deployment\.apps/\S+ (created|configured)\n$", r.Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task RolloutStatusAsync(string name)
    {
        var r = Ok(await Kubectl.RunAsync("rollout", "status", $"deployment/{name}", "--timeout=50s"));
        Assert.EndsWith($"deployment \"{name}\" successfully rolled out\n", r.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs a kubectl watch until it prints a line containing <paramref name="text"/>; returns that line.</summary>
    private async Task<string> WatchForLineAsync(string phase, string text, params string[] args)
    {
        await using var watch = Kubectl.Start(args);
        return await watch.WaitForLineAsync(text, TimeSpan.FromSeconds(60), phase);
    }

    /// <summary>Repeats a kubectl command until its output satisfies the condition; fails naming the phase and the last output.</summary>
    private async Task<CliResult> UntilAsync(string phase, Func<CliResult, bool> done, params string[] args)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var r = await Kubectl.RunAsync(args);
            if (done(r))
                return r;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{phase}: kubectl {string.Join(' ', args)} never gave the expected output; last: {r}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Deployment_ApplyRolloutScaleDescribeDelete()
    {
        await ApplyAsync(Manifest("kweb", 2, "local/web:1"));
        await RolloutStatusAsync("kweb");

        var tables = Ok(await Kubectl.RunAsync("get", "deploy,rs,pods", "-l", "app=kweb"));
        Assert.Matches(@"(?m)^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps/kweb\s+2/2\s+2\s+2\s+\d+s$", tables.Stdout);
        Assert.Matches($@"(?m)^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nreplicaset\.apps/kweb-{Hash}\s+2\s+2\s+2\s+\d+s$", tables.Stdout);
        Assert.Equal(2, Regex.Count(tables.Stdout, $@"(?m)^pod/kweb-{Hash}-{Suffix}\s+1/1\s+Running\s+0\s+\d+s$"));
        var wide = Ok(await Kubectl.RunAsync("get", "deploy", "kweb", "-o", "wide"));
        Assert.Matches(@"^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nkweb\s+2/2\s+2\s+2\s+\d+s\s+main\s+local/web:1\s+app=kweb\n$", wide.Stdout);

        var scale = Ok(await Kubectl.RunAsync("scale", "deployment", "kweb", "--replicas=3"));
        Assert.Equal("deployment.apps/kweb scaled\n", scale.Stdout);
        await RolloutStatusAsync("kweb");
        var rs = Ok(await Kubectl.RunAsync("get", "rs", "-l", "app=kweb", "--no-headers"));
        Assert.Matches($@"^kweb-{Hash}\s+3\s+3\s+3\s+\d+s\n$", rs.Stdout);

        var describe = Ok(await Kubectl.RunAsync("describe", "deployment", "kweb"));
        Assert.Matches(@"(?m)^Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable$", describe.Stdout);
        Assert.Matches(@"(?m)^StrategyType:\s+RollingUpdate$", describe.Stdout);
        Assert.Matches(@"(?m)^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$", describe.Stdout);
        Assert.Matches($@"(?m)^NewReplicaSet:\s+kweb-{Hash} \(3/3 replicas created\)$", describe.Stdout);
        Assert.Matches(@"(?m)^\s+Available\s+True\s+MinimumReplicasAvailable$", describe.Stdout);
        Assert.Matches(@"(?m)^\s+Progressing\s+True\s+NewReplicaSetAvailable$", describe.Stdout);

        // The controllers' events, recorded in the background: watched until they arrive.
        var scaling = await WatchForLineAsync("the deployment controller's ScalingReplicaSet event for kweb", "Scaled up replica set kweb-",
            "get", "events", "--field-selector", "involvedObject.kind=Deployment,involvedObject.name=kweb,reason=ScalingReplicaSet", "-w");
        Assert.Matches($@"Scaled up replica set kweb-{Hash} to \d", scaling);
        var created = await WatchForLineAsync("the replicaset controller's SuccessfulCreate events for kweb's pods", "Created pod: kweb-",
            "get", "events", "--field-selector", "involvedObject.kind=ReplicaSet,reason=SuccessfulCreate", "-w");
        Assert.Matches($@"Created pod: kweb-{Hash}-{Suffix}", created);

        var all = Ok(await Kubectl.RunAsync("get", "all"));
        Assert.Matches(@"(?m)^deployment\.apps/kweb\s+3/3\s+3\s+3\s+", all.Stdout);
        Assert.Matches($@"(?m)^replicaset\.apps/kweb-{Hash}\s+3\s+3\s+3\s+", all.Stdout);
        Assert.Equal(3, Regex.Count(all.Stdout, $@"(?m)^pod/kweb-{Hash}-{Suffix}\s+1/1\s+Running"));

        var delete = Ok(await Kubectl.RunAsync("delete", "deployment", "kweb"));
        Assert.Equal("deployment.apps \"kweb\" deleted\n", delete.Stdout);
        await UntilAsync("garbage collection of deployment kweb's replicasets and pods",
            r => r.ExitCode == 0 && r.Stdout.Length == 0 && r.Stderr.Contains("No resources found", StringComparison.Ordinal),
            "get", "rs,pods", "-l", "app=kweb");
    }

    [Fact]
    public async Task Deployment_SetImage_RollsOutToANewReplicaSet()
    {
        await ApplyAsync(Manifest("kimg", 2, "local/web:1"));
        await RolloutStatusAsync("kimg");
        var first = Ok(await Kubectl.RunAsync("get", "rs", "-l", "app=kimg", "-o", "name")).Stdout.Trim();

        var set = Ok(await Kubectl.RunAsync("set", "image", "deployment/kimg", "main=local/web:2"));
        Assert.Equal("deployment.apps/kimg image updated\n", set.Stdout);
        await RolloutStatusAsync("kimg");

        var sets = Ok(await Kubectl.RunAsync("get", "rs", "-l", "app=kimg", "-o", "wide", "--no-headers"));
        var lines = sets.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Single(lines, l => Regex.IsMatch(l, $@"^kimg-{Hash}\s+2\s+2\s+2\s+\d+s\s+main\s+local/web:2\s+app=kimg,pod-template-hash={Hash}$"));
        Assert.Single(lines, l => Regex.IsMatch(l, $@"^{Regex.Escape(first["replicaset.apps/".Length..])}\s+0\s+0\s+0\s+\d+s\s+main\s+local/web:1\s+"));
        var revision = Ok(await Kubectl.RunAsync("get", "deploy", "kimg", "-o", "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}"));
        Assert.Equal("2", revision.Stdout);
        await UntilAsync("old pods of deployment kimg stopping",
            r => r.ExitCode == 0 && Regex.Count(r.Stdout, "local/web:2") == 2 && !r.Stdout.Contains("local/web:1", StringComparison.Ordinal),
            "get", "pods", "-l", "app=kimg", "-o", "jsonpath={range .items[*]}{.spec.containers[0].image}{\"\\n\"}{end}");

        Ok(await Kubectl.RunAsync("delete", "deployment", "kimg"));
    }

    [Fact]
    public async Task Scale_Subresource_AndOrphanAndForegroundDeletion()
    {
        await ApplyAsync(Manifest("korph", 2, "local/web:1"));
        await RolloutStatusAsync("korph");

        var scale = JsonNode.Parse(Ok(await Kubectl.RunAsync("get", "--raw", "/apis/apps/v1/namespaces/default/deployments/korph/scale")).Stdout)!;
        Assert.Equal(("Scale", "autoscaling/v1", "korph", "default"),
            ((string?)scale["kind"], (string?)scale["apiVersion"], (string?)scale["metadata"]?["name"], (string?)scale["metadata"]?["namespace"]));
        Assert.Equal((2, 2, "app=korph"), ((int?)scale["spec"]?["replicas"], (int?)scale["status"]?["replicas"], (string?)scale["status"]?["selector"]));

        // Orphan: the Deployment goes, its ReplicaSet and pods stay, no longer owned.
        Assert.Equal("deployment.apps \"korph\" deleted\n", Ok(await Kubectl.RunAsync("delete", "deployment", "korph", "--cascade=orphan")).Stdout);
        var owners = Ok(await Kubectl.RunAsync("get", "rs", "-l", "app=korph", "-o", "jsonpath={range .items[*]}{.metadata.name}:{.metadata.ownerReferences}{\"\\n\"}{end}"));
        Assert.Matches($@"^korph-{Hash}:\n$", owners.Stdout);
        Assert.Equal(2, Regex.Count(Ok(await Kubectl.RunAsync("get", "pods", "-l", "app=korph", "--no-headers")).Stdout, @"\s1/1\s+Running\s"));

        // Foreground: the ReplicaSet goes only after its pods.
        var delete = Ok(await Kubectl.RunAsync("delete", "rs", "-l", "app=korph", "--cascade=foreground"));
        Assert.Matches($@"^replicaset\.apps ""korph-{Hash}"" deleted\n$", delete.Stdout);
        var left = Ok(await Kubectl.RunAsync("get", "rs,pods", "-l", "app=korph"));
        Assert.Equal("", left.Stdout);
        Assert.Contains("No resources found", left.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_SelectorNotMatchingTemplate_IsInvalidWithKubesMessage()
    {
        var yaml = Manifest("kbad", 1, "local/web:1").Replace("      labels:\n        app: kbad\n    spec:", "      labels:\n        app: other\n    spec:", StringComparison.Ordinal);
        var file = Path.Combine(Path.GetTempPath(), $"granary-deploy-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            var r = await Kubectl.RunAsync("apply", "-f", file);

            Assert.Equal(1, r.ExitCode);
            Assert.Contains("The Deployment \"kbad\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`", r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
