using System.Text.Json.Nodes;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// The real kubectl's writes with its default validation (which needs the server's OpenAPI v3), the server's
/// fieldValidation, server-side apply, dry runs and explain. Each test uses its own object names.
/// </summary>
public sealed class KubectlApplyTests(KubeApiFixture api) : IClassFixture<KubeApiFixture>
{
    private Kubectl Kubectl => api.Kubectl;

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    private static string Pod(string name, string image = "local/busybox:1", string labels = "app: web", string extraSpec = "", string extraContainer = "") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          labels: {"{"}{labels}{"}"}
        spec:
        {extraSpec}  containers:
          - name: main
            image: {image}
            command: [sleep, "3600"]
        {extraContainer}
        """;

    private async Task<CliResult> WithManifestAsync(string yaml, Func<string, Task<CliResult>> run)
    {
        var file = Path.Combine(Path.GetTempPath(), $"granary-kubectl-apply-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            return await run(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private Task<CliResult> RunWithFileAsync(string yaml, params string[] args) =>
        WithManifestAsync(yaml, file => Kubectl.RunAsync([.. args, "-f", file]));

    private async Task<JsonNode> GetPodAsync(string name) =>
        JsonNode.Parse(Ok(await Kubectl.RunAsync("get", "pod", name, "-o", "json", "--show-managed-fields")).Stdout)!;

    private async Task AssertAbsentAsync(string name)
    {
        var get = await Kubectl.RunAsync("get", "pod", name, "-o", "name");
        Assert.Equal(1, get.ExitCode);
        Assert.Equal($"Error from server (NotFound): pods \"{name}\" not found\n", get.Stderr);
    }

    [Fact]
    public async Task Create_UnknownFields_StrictByDefault_FailsAndWritesNothing()
    {
        var yaml = Pod("strict-web", extraSpec: "  colour: blue\n", extraContainer: "    shell: bash\n");

        var r = await WithManifestAsync(yaml, file => Kubectl.RunAsync("create", "-f", file));

        Assert.Equal(1, r.ExitCode);
        Assert.Matches(
            "^Error from server \\(BadRequest\\): error when creating \"[^\"]+\": Pod in version \"v1\" cannot be handled as a Pod: "
            + "strict decoding error: unknown field \"spec.colour\", unknown field \"spec.containers\\[0\\].shell\"\n$",
            r.Stderr);
        Assert.Equal("", r.Stdout);
        await AssertAbsentAsync("strict-web");
    }

    [Fact]
    public async Task Apply_UnknownField_StrictByDefault_FailsAndWritesNothing()
    {
        var r = await RunWithFileAsync(Pod("strict-apply", extraSpec: "  colour: blue\n"), "apply");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.colour\"", r.Stderr, StringComparison.Ordinal);
        await AssertAbsentAsync("strict-apply");
    }

    [Fact]
    public async Task Create_ValidateWarn_WritesTheObjectAndPrintsEachUnknownField()
    {
        var r = Ok(await RunWithFileAsync(Pod("warn-web", extraSpec: "  colour: blue\n", extraContainer: "    shell: bash\n"), "create", "--validate=warn"));

        Assert.Equal("pod/warn-web created\n", r.Stdout);
        Assert.Equal("Warning: unknown field \"spec.colour\"\nWarning: unknown field \"spec.containers[0].shell\"\n", r.Stderr);
        var pod = await GetPodAsync("warn-web");
        Assert.Equal("local/busybox:1", (string?)pod["spec"]!["containers"]![0]!["image"]);
        Assert.Null(pod["spec"]!["colour"]);
    }

    [Fact]
    public async Task Create_ValidateFalse_DropsUnknownFieldsSilently()
    {
        var r = Ok(await RunWithFileAsync(Pod("novalidate-web", extraSpec: "  colour: blue\n"), "create", "--validate=false"));

        Assert.Equal("pod/novalidate-web created\n", r.Stdout);
        Assert.Equal("", r.Stderr);
        Assert.Null((await GetPodAsync("novalidate-web"))["spec"]!["colour"]);
    }

    [Fact]
    public async Task Replace_UnknownField_StrictByDefault_KeepsTheObject()
    {
        Ok(await RunWithFileAsync(Pod("strict-replace"), "create"));

        var r = await RunWithFileAsync(Pod("strict-replace", labels: "app: changed", extraSpec: "  colour: blue\n"), "replace");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error when replacing", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("strict decoding error: unknown field \"spec.colour\"", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("web", (string?)(await GetPodAsync("strict-replace"))["metadata"]!["labels"]!["app"]);
    }

    [Fact]
    public async Task ApplyServerSide_Creates_ThenReappliesAChange_AndRecordsTheManager()
    {
        var created = Ok(await RunWithFileAsync(Pod("ssa-web", labels: "app: web, tier: front"), "apply", "--server-side"));
        var first = await GetPodAsync("ssa-web");
        // The image changes (a pod's only mutable container field) and the tier label is no longer applied.
        var changed = Ok(await RunWithFileAsync(Pod("ssa-web", image: "local/busybox:2", labels: "app: web2"), "apply", "--server-side"));
        var pod = await GetPodAsync("ssa-web");

        Assert.Equal("pod/ssa-web serverside-applied\n", created.Stdout);
        Assert.Equal("pod/ssa-web serverside-applied\n", changed.Stdout);
        Assert.Equal("""{"app":"web","tier":"front"}""", first["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("""{"app":"web2"}""", pod["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("local/busybox:2", (string?)pod["spec"]!["containers"]![0]!["image"]);
        Assert.Equal((string?)first["metadata"]!["uid"], (string?)pod["metadata"]!["uid"]);
        var entry = Assert.Single(pod["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal("kubectl", (string?)entry["manager"]);
        Assert.Equal("Apply", (string?)entry["operation"]);
        Assert.Equal("v1", (string?)entry["apiVersion"]);
        Assert.Equal("FieldsV1", (string?)entry["fieldsType"]);
        var fields = JsonNode.Parse("""{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"main\"}":{".":{},"f:command":{},"f:image":{},"f:name":{}}}}}""");
        Assert.True(JsonNode.DeepEquals(fields, entry["fieldsV1"]), entry["fieldsV1"]!.ToJsonString());
    }

    [Fact]
    public async Task ApplyServerSide_OnAClientSideAppliedObject_TakesItOver()
    {
        Ok(await RunWithFileAsync(Pod("csa-web"), "apply"));

        var r = Ok(await RunWithFileAsync(Pod("csa-web", image: "local/busybox:2"), "apply", "--server-side"));
        var pod = await GetPodAsync("csa-web");

        Assert.Equal("pod/csa-web serverside-applied\n", r.Stdout);
        Assert.Equal("local/busybox:2", (string?)pod["spec"]!["containers"]![0]!["image"]);
        var managers = pod["metadata"]!["managedFields"]!.AsArray().Select(e => (string)e!["manager"]!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["kubectl", "kubectl-last-applied"], managers);
    }

    [Fact]
    public async Task ApplyServerSide_FieldOfAnotherManager_ConflictsUnlessForced()
    {
        Ok(await RunWithFileAsync(Pod("conflict-web"), "apply", "--server-side", "--field-manager=team-a"));

        var conflict = await RunWithFileAsync(Pod("conflict-web", image: "local/busybox:2"), "apply", "--server-side", "--field-manager=team-b");
        var unchanged = await GetPodAsync("conflict-web");
        var forced = Ok(await RunWithFileAsync(Pod("conflict-web", image: "local/busybox:2"), "apply", "--server-side", "--field-manager=team-b", "--force-conflicts"));
        var pod = await GetPodAsync("conflict-web");

        Assert.Equal(1, conflict.ExitCode);
        Assert.StartsWith("error: Apply failed with 1 conflict: conflict with \"team-a\": .spec.containers[name=\"main\"].image\n", conflict.Stderr, StringComparison.Ordinal);
        Assert.Equal("local/busybox:1", (string?)unchanged["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("pod/conflict-web serverside-applied\n", forced.Stdout);
        Assert.Equal("local/busybox:2", (string?)pod["spec"]!["containers"]![0]!["image"]);
        var teamA = pod["metadata"]!["managedFields"]!.AsArray().Single(e => (string?)e!["manager"] == "team-a")!;
        Assert.DoesNotContain("f:image", teamA["fieldsV1"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRunServer_CreateApplyAndDelete_ChangeNothing()
    {
        var create = Ok(await RunWithFileAsync(Pod("dry-web"), "create", "--dry-run=server", "-o", "jsonpath={.metadata.name}/{.spec.restartPolicy}"));
        await AssertAbsentAsync("dry-web");
        Ok(await RunWithFileAsync(Pod("dry-web"), "create"));
        var before = await GetPodAsync("dry-web");
        var apply = Ok(await RunWithFileAsync(Pod("dry-web", image: "local/busybox:2"), "apply", "--server-side", "--dry-run=server", "-o", "jsonpath={.spec.containers[0].image}"));
        var delete = Ok(await Kubectl.RunAsync("delete", "pod", "dry-web", "--dry-run=server"));
        var after = await GetPodAsync("dry-web");

        // The defaults a real create fills prove the grain prepared the object.
        Assert.Equal("dry-web/Always", create.Stdout);
        Assert.Equal("local/busybox:2", apply.Stdout);
        Assert.Equal("pod \"dry-web\" deleted (server dry run)\n", delete.Stdout);
        // (Not the resourceVersion: the scheduler writes the pod's status meanwhile.)
        Assert.Equal((string?)before["metadata"]!["uid"], (string?)after["metadata"]!["uid"]);
        Assert.Equal(1, (int?)after["metadata"]!["generation"]);
        Assert.Null(after["metadata"]!["deletionTimestamp"]);
        Assert.Equal("local/busybox:1", (string?)after["spec"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public async Task DryRunServer_InvalidObject_ReportsTheField()
    {
        var yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: dry-bad
            spec:
              containers:
              - name: main
            """;

        var r = await RunWithFileAsync(yaml, "create", "--dry-run=server");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("The Pod \"dry-bad\" is invalid: spec.containers[0].image: Required value\n", r.Stderr);
    }

    [Fact]
    public async Task Explain_PodsSpecContainers_ListsTheServedFields()
    {
        var r = Ok(await Kubectl.RunAsync("explain", "pods.spec.containers"));

        Assert.StartsWith("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  image\t<string>$", r.Stdout);
        Assert.Matches(@"(?m)^  livenessProbe\t<Probe>$", r.Stdout);
        Assert.Matches(@"(?m)^  ports\t<\[\]ContainerPort>$", r.Stdout);
    }

    [Fact]
    public async Task Explain_PodsSpecVolumes_ListsTheVolumeSources()
    {
        var r = Ok(await Kubectl.RunAsync("explain", "pods.spec.volumes"));

        Assert.StartsWith("KIND:       Pod\nVERSION:    v1\n\nFIELD: volumes <[]Volume>\n", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  configMap\t<ConfigMapVolumeSource>$", r.Stdout);
        Assert.Matches(@"(?m)^  persistentVolumeClaim\t<PersistentVolumeClaimVolumeSource>$", r.Stdout);
    }

    [Fact]
    public async Task Create_AChartStylePod_IsAcceptedUnderStrictValidationAndDefaulted()
    {
        // The fields a typical Helm chart's pod carries, sent with kubectl's default (strict) field validation, after
        // the chart's ServiceAccount (kube's ServiceAccount admission refuses a pod whose account does not exist).
        var yaml = """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: web
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: chart-web
            spec:
              serviceAccountName: web
              priorityClassName: system-cluster-critical
              securityContext:
                runAsNonRoot: true
                fsGroup: 2000
              affinity:
                podAntiAffinity:
                  preferredDuringSchedulingIgnoredDuringExecution:
                  - weight: 100
                    podAffinityTerm:
                      topologyKey: kubernetes.io/hostname
                      labelSelector:
                        matchLabels:
                          app: web
              volumes:
              - name: config
                configMap:
                  name: web
              - name: tmp
                emptyDir: {}
              initContainers:
              - name: init
                image: local/busybox:1
                command: ["true"]
              containers:
              - name: main
                image: local/busybox:1
                imagePullPolicy: IfNotPresent
                securityContext:
                  runAsUser: 1000
                  allowPrivilegeEscalation: false
                  capabilities:
                    drop: ["ALL"]
                volumeMounts:
                - name: config
                  mountPath: /etc/web
                - name: tmp
                  mountPath: /tmp
                resources:
                  limits:
                    cpu: 100m
                    memory: 64Mi
            """;

        Ok(await RunWithFileAsync(yaml, "create"));
        var r = Ok(await Kubectl.RunAsync("get", "pod", "chart-web", "-o",
            "jsonpath={.spec.volumes[0].configMap.defaultMode}/{.spec.dnsPolicy}/{.spec.priority}/{.spec.serviceAccount}/{.spec.initContainers[0].terminationMessagePath}/{.status.qosClass}"));

        // The init container has no limits, so the pod is Burstable, as kube computes it.
        Assert.Equal("420/ClusterFirst/2000000000/web//dev/termination-log/Burstable", r.Stdout);
    }
}
