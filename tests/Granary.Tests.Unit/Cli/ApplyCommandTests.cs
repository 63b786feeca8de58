using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public sealed class ApplyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-cli-apply-").FullName;
    private readonly CliRun _cli = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string TwoObjects = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: team-a
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
          - name: web
            image: nginx
        """;

    [Fact]
    public async Task Apply_NewObjects_PrintsCreatedAndDefaultsTheNamespace()
    {
        var code = await _cli.RunAsync(["apply", "-f", Write("all.yaml", TwoObjects)]);

        Assert.Equal((0, "namespace/team-a created\npod/web created\n", ""), _cli.Result(code));
        Assert.Equal(["apply namespaces team-a", "apply pods default/web"], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task Apply_Twice_PrintsUnchangedThenConfigured()
    {
        var file = Write("all.yaml", TwoObjects);
        await _cli.RunAsync(["apply", "-f", file]);
        await _cli.RunAsync(["apply", "-f", file]);
        await _cli.RunAsync(["apply", "-f", Write("all.yaml", TwoObjects.Replace("image: nginx", "image: nginx:2", StringComparison.Ordinal))]);

        Assert.Equal(
            "namespace/team-a created\npod/web created\nnamespace/team-a unchanged\npod/web unchanged\nnamespace/team-a unchanged\npod/web configured\n",
            _cli.Out.ToString());
    }

    [Fact]
    public async Task Apply_NamespaceFlag_AppliesToObjectsWithoutOne()
    {
        var code = await _cli.RunAsync(["apply", "-n", "team-a", "-f", Write("all.yaml", TwoObjects)]);

        Assert.Equal(0, code);
        Assert.Equal(["apply namespaces team-a", "apply pods team-a/web"], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task Apply_Stdin_ReadsTheManifest()
    {
        _cli.Stdin = TwoObjects;

        var code = await _cli.RunAsync("apply -f -");

        Assert.Equal((0, "namespace/team-a created\npod/web created\n", ""), _cli.Result(code));
    }

    [Fact]
    public async Task Apply_InvalidObject_ReportsItAndGoesOn()
    {
        _cli.Cluster.Client(ResourceKinds.Pod).Failures["web"] =
            new InvalidException("Pod", "web", ImmutableList.Create(FieldError.Required("spec.containers[0].image")));
        var file = Write("all.yaml", TwoObjects + "\n---\nkind: Namespace\nmetadata: {name: team-b}\n");

        var code = await _cli.RunAsync(["apply", "-f", file]);

        Assert.Equal(
            (1, "namespace/team-a created\nnamespace/team-b created\n",
             "Error from server (Invalid): error when applying pod/web: Pod \"web\" is invalid: spec.containers[0].image: Required value\n"),
            _cli.Result(code));
    }

    [Fact]
    public async Task Apply_UnreadableDocument_ReportsItAndAppliesTheRest()
    {
        var file = Write("all.yaml", "kind: Widget\n---\n" + TwoObjects + "\n---\nkind: Pod\nmetadata:\n  generateName: x-\n");

        var code = await _cli.RunAsync(["apply", "-f", file]);

        Assert.Equal(
            (1, "namespace/team-a created\npod/web created\n",
             $"error: {file} (document 1): kind \"Widget\" is not served (served kinds: Pod, Node, Namespace, ReplicaSet, Deployment)\n"
             + $"error: {file} (document 4): metadata.name: Required value\n"),
            _cli.Result(code));
    }

    [Fact]
    public async Task Apply_ObjectInAnotherNamespaceThanTheFlag_IsRefused()
    {
        var file = Write("pod.yaml", "kind: Pod\nmetadata: {name: web, namespace: team-a}\n");

        var code = await _cli.RunAsync(["apply", "-n", "team-b", "-f", file]);

        Assert.Equal(
            (1, "", "error: the namespace from the provided object \"team-a\" does not match the namespace \"team-b\". You must pass '--namespace=team-a' to perform this operation.\n"),
            _cli.Result(code));
        Assert.Empty(_cli.Cluster.Calls);
    }

    [Theory]
    [InlineData("apply", "error: must specify -f FILE, -f DIR or -f - (standard input)\nSee 'granary help apply' for usage.\n")]
    [InlineData("apply -f /nonexistent/pod.yaml", "error: the path \"/nonexistent/pod.yaml\" does not exist\n")]
    public async Task Apply_WithoutUsableFiles_FailsBeforeConnecting(string line, string expected)
    {
        var code = await _cli.RunAsync(line);

        Assert.Equal((1, "", expected), _cli.Result(code));
        Assert.Empty(_cli.Connections);
    }

    [Fact]
    public async Task Apply_OutputName_PrintsNamesOnly()
    {
        var code = await _cli.RunAsync(["apply", "-o", "name", "-f", Write("all.yaml", TwoObjects)]);

        Assert.Equal((0, "namespace/team-a\npod/web\n", ""), _cli.Result(code));
    }

    [Fact]
    public async Task Apply_ExistingObjectFromAList_IsConfigured()
    {
        _cli.Cluster.With(Namespace("team-a"));
        var file = Write("list.json", """{"kind":"List","items":[{"kind":"Namespace","metadata":{"name":"team-a"}}]}""");

        var code = await _cli.RunAsync(["apply", "-f", file]);

        Assert.Equal((0, "namespace/team-a configured\n", ""), _cli.Result(code));
    }
}
