using Granary.Api;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public class GetCommandTests
{
    private readonly CliRun _cli = new();

    private static Pod Web => Pod("web", status: new PodStatus { Phase = "Running", ContainerStatuses = [Running("c0")] });

    private static Pod Labelled(string name, string ns, string app)
    {
        var pod = Pod(name, ns, status: new PodStatus { Phase = "Running", ContainerStatuses = [Running("c0")] });
        return pod with { Metadata = pod.Metadata with { Labels = Map(("app", app)) } };
    }

    [Theory]
    [InlineData("get pods")]
    [InlineData("get po")]
    [InlineData("get Pod")]
    public async Task Get_KindAliases_ListPodsInTheDefaultNamespace(string line)
    {
        _cli.Cluster.With(Labelled("b", "default", "x"), Labelled("a", "default", "y"), Labelled("c", "other", "x"));

        var code = await _cli.RunAsync(line);

        Assert.Equal(
            (0, "NAME   READY   STATUS    RESTARTS   AGE\na      1/1     Running   0          5m\nb      1/1     Running   0          5m\n", ""),
            _cli.Result(code));
        Assert.Equal(["list pods ns=default labels= fields="], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task Get_AllNamespacesWithSelector_AddsTheNamespaceColumn()
    {
        _cli.Cluster.With(Labelled("b", "default", "x"), Labelled("a", "default", "y"), Labelled("c", "other", "x"));

        var code = await _cli.RunAsync("get pods -A -l app=x");

        Assert.Equal(
            (0, "NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE\ndefault     b      1/1     Running   0          5m\nother       c      1/1     Running   0          5m\n", ""),
            _cli.Result(code));
        Assert.Equal(["list pods ns=* labels=app=x fields="], _cli.Cluster.Calls);
    }

    [Theory]
    [InlineData("get pods", "No resources found in default namespace.\n")]
    [InlineData("get pods -n team-a", "No resources found in team-a namespace.\n")]
    [InlineData("get pods -A", "No resources found\n")]
    [InlineData("get nodes", "No resources found\n")]
    public async Task Get_NothingThere_SaysSoOnStderrAndSucceeds(string line, string expected)
    {
        var code = await _cli.RunAsync(line);

        Assert.Equal((0, "", expected), _cli.Result(code));
    }

    [Fact]
    public async Task Get_MissingName_PrintsNotFoundAndFails()
    {
        _cli.Cluster.With(Web);

        var code = await _cli.RunAsync("get pods web nope");

        Assert.Equal(
            (1, "NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          5m\n", "Error from server (NotFound): pods \"nope\" not found\n"),
            _cli.Result(code));
    }

    [Fact]
    public async Task Get_OneByName_AsJsonIsTheObject()
    {
        _cli.Cluster.With(Namespace("team-a"));

        var code = await _cli.RunAsync("get ns team-a -o json");

        Assert.Equal((0, ObjectPrinterJson(Namespace("team-a")), ""), _cli.Result(code));
    }

    [Fact]
    public async Task Get_List_AsYamlIsAList()
    {
        _cli.Cluster.With(Namespace("a"), Namespace("b"));

        var code = await _cli.RunAsync("get namespaces -o yaml");

        Assert.Equal(0, code);
        Assert.StartsWith("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n", _cli.Out.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("kind: List\nmetadata:\n  resourceVersion: \"\"\n", _cli.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_KindSlashName_AcrossKinds_PrintsATablePerKind()
    {
        _cli.Cluster.With(Web, Node("node-1"));

        var code = await _cli.RunAsync("get pod/web node/node-1 -o name");
        var names = _cli.Out.ToString();
        _cli.Out.GetStringBuilder().Clear();
        await _cli.RunAsync("get pod/web node/node-1");

        Assert.Equal((0, "pod/web\nnode/node-1\n"), (code, names));
        Assert.Equal(
            "NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          5m\n\nNAME     STATUS   ROLES    AGE   VERSION\nnode-1   Ready    <none>   3d    v1.30.0-granary\n",
            _cli.Out.ToString());
    }

    [Theory]
    [InlineData("get", "error: You must specify the type of resource to get. Use \"granary get pods|nodes|namespaces\"\nSee 'granary help get' for usage.\n")]
    [InlineData("get widgets", "error: the server doesn't have a resource type \"widgets\"\n")]
    [InlineData("get pods web -l app=x", "error: name cannot be provided when a selector is specified\nSee 'granary help get' for usage.\n")]
    [InlineData("get pods web -A", "error: a resource cannot be retrieved by name across all namespaces\nSee 'granary help get' for usage.\n")]
    [InlineData("get pods a b -w", "error: watch is only supported on individual resources and resource collections, but 2 resources were found\nSee 'granary help get' for usage.\n")]
    [InlineData("get pods pod/web", "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'granary get pod/web' instead of 'granary get pod pod/web')\nSee 'granary help get' for usage.\n")]
    public async Task Get_BadArguments_FailWithOneClearLine(string line, string expected)
    {
        var code = await _cli.RunAsync(line);

        Assert.Equal((1, "", expected), _cli.Result(code));
        Assert.Empty(_cli.Connections);
    }

    [Fact]
    public async Task GetWatch_PrintsTheListThenARowPerEventUntilCancelled()
    {
        _cli.Cluster.With(Web);
        var pods = _cli.Cluster.Client(ResourceKinds.Pod);
        var pending = Pod("a-much-longer-name", status: new PodStatus { Phase = "Pending" });
        pods.Events.Add(new WatchEvent(WatchEventType.Added, pending));
        pods.Events.Add(new WatchEvent(WatchEventType.Deleted, Web with { Metadata = Web.Metadata with { DeletionTimestamp = Now } }));
        using var cancel = new CancellationTokenSource();

        var run = _cli.RunAsync("get pods -w", cancel.Token);
        await pods.WatchDrained.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        var code = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(
            (0,
             "NAME   READY   STATUS    RESTARTS   AGE\n"
             + "web    1/1     Running   0          5m\n"
             + "a-much-longer-name   0/1     Pending   0          5m\n"
             + "web                  1/1     Terminating   0          5m\n",
             ""),
            _cli.Result(code));
        Assert.Equal(["list pods ns=default labels= fields=", "watch pods ns=default labels= fields= from=42"], _cli.Cluster.Calls);
        Assert.True(_cli.Cluster.Disposed);
    }

    [Fact]
    public async Task GetWatch_OneNameAsYaml_WatchesThatNameAndSeparatesDocuments()
    {
        _cli.Cluster.With(Namespace("team-a"));
        var namespaces = _cli.Cluster.Client(ResourceKinds.Namespace);
        namespaces.Events.Add(new WatchEvent(WatchEventType.Modified, Namespace("team-a", "Terminating")));
        using var cancel = new CancellationTokenSource();

        var run = _cli.RunAsync("get ns team-a -w -o yaml", cancel.Token);
        await namespaces.WatchDrained.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        var code = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, code);
        Assert.Equal(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  creationTimestamp: \"2024-03-01T07:00:00Z\"\nstatus:\n  phase: Active\n"
            + "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  creationTimestamp: \"2024-03-01T07:00:00Z\"\nstatus:\n  phase: Terminating\n",
            _cli.Out.ToString());
        Assert.Equal(["list namespaces ns=* labels= fields=metadata.name=team-a", "watch namespaces ns=* labels= fields=metadata.name=team-a from=42"], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task GetWatch_MissingName_IsNotFound()
    {
        var code = await _cli.RunAsync("get pod web -w");

        Assert.Equal((1, "", "Error from server (NotFound): pods \"web\" not found\n"), _cli.Result(code));
    }

    private static string ObjectPrinterJson(IResource resource) => Granary.Cli.Output.ObjectPrinter.Json(resource);
}
