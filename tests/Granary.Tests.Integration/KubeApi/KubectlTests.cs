using System.Text.Json.Nodes;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>The real kubectl against a real silo's API, asserting on what a user sees and on exit codes.</summary>
public sealed class KubectlTests(KubeApiFixture api) : IClassFixture<KubeApiFixture>
{
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(30);

    private Kubectl Kubectl => api.Kubectl;

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    [Fact]
    public async Task Version_ReportsTheServerVersion()
    {
        var r = Ok(await Kubectl.RunAsync("version"));

        Assert.Contains("Server Version: v1.32.0-granary", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetNamespaces_ListsTheBuiltInNamespaces()
    {
        var r = Ok(await Kubectl.RunAsync("get", "ns"));

        Assert.Matches(@"^NAME\s+STATUS\s+AGE\n", r.Stdout);
        Assert.Matches(@"(?m)^default\s+Active\s+\d+[smh]", r.Stdout);
        Assert.Matches(@"(?m)^kube-system\s+Active\s+", r.Stdout);
    }

    [Fact]
    public async Task GetPods_AllNamespacesAndWide_ShowServerSideColumns()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("cols-web", "cols"));

        var all = Ok(await Kubectl.RunAsync("get", "pods", "-A", "-l", "app=cols"));
        var wide = Ok(await Kubectl.RunAsync("get", "pods", "-o", "wide", "-l", "app=cols"));

        Assert.Matches(@"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\ndefault\s+cols-web\s+0/1\s+Pending\s+0\s+\d+s\n$", all.Stdout);
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n", wide.Stdout);
        Assert.Matches(@"(?m)^cols-web\s+0/1\s+Pending\s+0\s+\d+s\s+<none>\s+\S+\s+<none>\s+<none>$", wide.Stdout);
    }

    [Fact]
    public async Task GetPod_OutputFormats()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("fmt-web", "fmt"));

        var name = Ok(await Kubectl.RunAsync("get", "pod", "fmt-web", "-o", "name"));
        var jsonpath = Ok(await Kubectl.RunAsync("get", "po", "fmt-web", "-o", "jsonpath={.metadata.labels.app}/{.spec.containers[0].image}"));
        var json = Ok(await Kubectl.RunAsync("get", "pod", "fmt-web", "-o", "json"));
        var yaml = Ok(await Kubectl.RunAsync("get", "pod", "fmt-web", "-o", "yaml"));

        Assert.Equal("pod/fmt-web\n", name.Stdout);
        Assert.Equal("fmt/local/busybox:1", jsonpath.Stdout);
        var pod = JsonNode.Parse(json.Stdout)!;
        Assert.Equal("Pod", (string?)pod["kind"]);
        Assert.Equal("default", (string?)pod["metadata"]!["namespace"]);
        Assert.False(string.IsNullOrEmpty((string?)pod["metadata"]!["uid"]));
        Assert.Contains("kind: Pod\n", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("  name: fmt-web\n", yaml.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetPods_LabelSelector_FiltersOnTheServer()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("sel-a", "sel-a") + KubeApiFixture.Pod("sel-b", "sel-b"));

        var r = Ok(await Kubectl.RunAsync("get", "pods", "-l", "app=sel-a", "-o", "name"));
        var none = Ok(await Kubectl.RunAsync("get", "pods", "-l", "app=sel-none"));

        Assert.Equal("pod/sel-a\n", r.Stdout);
        Assert.Equal("", none.Stdout);
        Assert.Equal("No resources found in default namespace.\n", none.Stderr);
    }

    [Fact]
    public async Task GetNodes_ShowsStatusAndRoles()
    {
        await api.ApplyAsync(KubeApiFixture.Node("kn1"));

        var r = Ok(await Kubectl.RunAsync("get", "nodes", "kn1"));

        Assert.Matches(@"^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nkn1\s+Ready\s+worker\s+\d+s\s*\n$", r.Stdout);
    }

    [Fact]
    public async Task GetPod_Missing_PrintsNotFoundAndExitsOne()
    {
        var r = await Kubectl.RunAsync("get", "pod", "missing");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error from server (NotFound): pods \"missing\" not found\n", r.Stderr);
    }

    [Fact]
    public async Task ApiResources_ListsTheServedKinds()
    {
        var r = Ok(await Kubectl.RunAsync("api-resources"));

        Assert.Matches(@"(?m)^namespaces\s+ns\s+v1\s+false\s+Namespace$", r.Stdout);
        Assert.Matches(@"(?m)^nodes\s+no\s+v1\s+false\s+Node$", r.Stdout);
        Assert.Matches(@"(?m)^pods\s+po\s+v1\s+true\s+Pod$", r.Stdout);
        Assert.Matches(@"(?m)^events\s+ev\s+v1\s+true\s+Event$", r.Stdout);
        Assert.Matches(@"(?m)^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$", r.Stdout);
        Assert.Matches(@"(?m)^replicasets\s+rs\s+apps/v1\s+true\s+ReplicaSet$", r.Stdout);
        Assert.Matches(@"(?m)^jobs\s+batch/v1\s+true\s+Job$", r.Stdout);
        Assert.Matches(@"(?m)^cronjobs\s+cj\s+batch/v1\s+true\s+CronJob$", r.Stdout);
    }

    [Fact]
    public async Task GetPodsWatch_PrintsARowForAPodCreatedAfterwards()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("watch-1", "watched"));
        await using var watch = Kubectl.Start("get", "pods", "-l", "app=watched", "-w");
        await watch.WaitForLineAsync("watch-1", WatchTimeout, "kubectl get -w printing the listed pod watch-1");

        await api.ApplyAsync(KubeApiFixture.Pod("watch-2", "watched"));

        var line = await watch.WaitForLineAsync("watch-2", WatchTimeout, "kubectl get -w printing pod watch-2, created after the watch started");
        Assert.Matches(@"^watch-2\s+0/1\s+Pending\s+0\s+\d+s", line);
    }

    [Fact]
    public async Task GetPodWatch_SingleObject_PrintsItsChanges()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("single", "single"));
        await using var watch = Kubectl.Start("get", "pod", "single", "-w", "-o", "jsonpath={.metadata.labels.app}{\"\\n\"}");
        await watch.WaitForLineAsync("single", WatchTimeout, "kubectl get pod single -w printing the pod");

        await api.ApplyAsync(KubeApiFixture.Pod("single", "single-changed"));

        await watch.WaitForLineAsync("single-changed", WatchTimeout, "kubectl get pod single -w printing the relabelled pod");
    }

    [Fact]
    public async Task OlderKubectl_ReadsTheApiToo()
    {
        var binary = Kubectl.Versioned("1.30");
        if (binary is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "kubectl.1.30 (Cloud SDK bundle) is not installed");
            return;
        }

        var r = Ok(await Kubectl.WithBinary(binary).RunAsync("get", "ns", "default"));

        Assert.Matches(@"^NAME\s+STATUS\s+AGE\ndefault\s+Active\s+", r.Stdout);
    }

    private static string Manifest(string name, string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"granary-kubectl-{Guid.NewGuid():N}-{name}.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    [Fact]
    public async Task DeletePod_PrintsDeleted_AndWaitsUntilItIsGone()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("del-web", "del"));

        var r = Ok(await Kubectl.RunAsync("delete", "pod", "del-web"));
        var get = await Kubectl.RunAsync("get", "pod", "del-web");

        Assert.Equal("pod \"del-web\" deleted\n", r.Stdout);
        Assert.Equal(1, get.ExitCode);
    }

    [Fact]
    public async Task DeletePod_Missing_PrintsNotFoundAndExitsOne()
    {
        var r = await Kubectl.RunAsync("delete", "pod", "missing");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error from server (NotFound): pods \"missing\" not found\n", r.Stderr);
    }

    [Fact]
    public async Task DeleteNamespace_PrintsDeleted()
    {
        await api.ApplyAsync("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\n");

        var r = Ok(await Kubectl.RunAsync("delete", "ns", "team"));

        Assert.Equal("namespace \"team\" deleted\n", r.Stdout);
    }

    [Fact]
    public async Task CreateFromFile_CreatesOnce_ThenReportsAlreadyExists()
    {
        var file = Manifest("create-web", KubeApiFixture.Pod("create-web", "create"));
        try
        {
            var r = Ok(await Kubectl.RunAsync("create", "-f", file));
            var again = await Kubectl.RunAsync("create", "-f", file);
            var get = Ok(await Kubectl.RunAsync("get", "pod", "create-web", "-o", "name"));

            Assert.Equal("pod/create-web created\n", r.Stdout);
            Assert.Equal(1, again.ExitCode);
            Assert.Equal($"Error from server (AlreadyExists): error when creating \"{file}\": pods \"create-web\" already exists\n", again.Stderr);
            Assert.Equal("pod/create-web\n", get.Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task CreateFromFile_InvalidPod_PrintsTheFieldAndExitsOne()
    {
        var file = Manifest("bad", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: bad
            spec:
              containers:
              - name: main
            """);
        try
        {
            var r = await Kubectl.RunAsync("create", "-f", file);

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("The Pod \"bad\" is invalid: spec.containers[0].image: Required value\n", r.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ReplaceFromFile_ReplacesTheLabels()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("replace-web", "replace"));
        var file = Manifest("replace-web", KubeApiFixture.Pod("replace-web", "replaced"));
        try
        {
            var r = Ok(await Kubectl.RunAsync("replace", "-f", file));
            var label = Ok(await Kubectl.RunAsync("get", "pod", "replace-web", "-o", "jsonpath={.metadata.labels.app}"));

            Assert.Equal("pod/replace-web replaced\n", r.Stdout);
            Assert.Equal("replaced", label.Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task LabelAnnotateAndPatch_ChangeThePod()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("patch-web", "patch"));

        var label = Ok(await Kubectl.RunAsync("label", "pod", "patch-web", "tier=web"));
        var annotate = Ok(await Kubectl.RunAsync("annotate", "pod", "patch-web", "note=hi"));
        var merge = Ok(await Kubectl.RunAsync("patch", "pod", "patch-web", "--type=merge", "-p", """{"metadata":{"labels":{"a":"b"}}}"""));
        var json = Ok(await Kubectl.RunAsync("patch", "pod", "patch-web", "--type=json", "-p", """[{"op":"remove","path":"/metadata/labels/a"},{"op":"add","path":"/metadata/labels/c","value":"d"}]"""));
        var strategic = Ok(await Kubectl.RunAsync("patch", "pod", "patch-web", "-p", """{"metadata":{"labels":{"e":"f"}}}"""));
        var get = Ok(await Kubectl.RunAsync("get", "pod", "patch-web", "-o", "json"));

        Assert.Equal("pod/patch-web labeled\n", label.Stdout);
        Assert.Equal("pod/patch-web annotated\n", annotate.Stdout);
        Assert.Equal("pod/patch-web patched\n", merge.Stdout);
        Assert.Equal("pod/patch-web patched\n", json.Stdout);
        Assert.Equal("pod/patch-web patched\n", strategic.Stdout);
        var meta = JsonNode.Parse(get.Stdout)!["metadata"]!;
        Assert.Equal("""{"app":"patch","c":"d","e":"f","tier":"web"}""", meta["labels"]!.ToJsonString());
        Assert.Equal("hi", (string?)meta["annotations"]!["note"]);
    }

    [Fact]
    public async Task ApplyTwice_CreatesThenUnchanged_ThenConfigured()
    {
        var file = Manifest("apply-web", KubeApiFixture.Pod("apply-web", "apply"));
        try
        {
            var created = Ok(await Kubectl.RunAsync("apply", "-f", file));
            var unchanged = Ok(await Kubectl.RunAsync("apply", "-f", file));
            File.WriteAllText(file, KubeApiFixture.Pod("apply-web", "applied"));
            var configured = Ok(await Kubectl.RunAsync("apply", "-f", file));
            var label = Ok(await Kubectl.RunAsync("get", "pod", "apply-web", "-o", "jsonpath={.metadata.labels.app}/{.spec.containers[0].image}"));

            Assert.Equal("pod/apply-web created\n", created.Stdout);
            Assert.Equal("pod/apply-web unchanged\n", unchanged.Stdout);
            Assert.Equal("pod/apply-web configured\n", configured.Stdout);
            Assert.Equal("applied/local/busybox:1", label.Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Edit_WritesWhatTheEditorChanged()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("edit-web", "edit"));
        var editor = Path.Combine(Path.GetTempPath(), $"granary-editor-{Guid.NewGuid():N}.sh");
        File.WriteAllText(editor, "#!/bin/sh\nsed -i 's/app: edit$/app: edited/' \"$1\"\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var edit = Ok(await Kubectl.RunWithEnvironmentAsync(new Dictionary<string, string> { ["KUBE_EDITOR"] = editor }, "edit", "pod", "edit-web"));
            var label = Ok(await Kubectl.RunAsync("get", "pod", "edit-web", "-o", "jsonpath={.metadata.labels.app}"));

            Assert.Equal("pod/edit-web edited\n", edit.Stdout);
            Assert.Equal("edited", label.Stdout);
        }
        finally
        {
            File.Delete(editor);
        }
    }
}
