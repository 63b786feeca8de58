using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public class CliAppTests
{
    private readonly CliRun _cli = new();

    [Fact]
    public async Task NoArguments_PrintsTheCommandList()
    {
        var code = await _cli.RunAsync([]);

        Assert.Equal(0, code);
        Assert.Contains("\n  apply      Create or update objects from manifest files\n", _cli.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("start one with: dotnet run --project Silo", _cli.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsLogsAndExec()
    {
        var code = await _cli.RunAsync("help");

        Assert.Equal(0, code);
        Assert.Contains(
            "\n  delete     Delete objects by name, selector or manifest\n"
            + "  logs       Print the logs of a container in a pod\n"
            + "  exec       Run a command in a container of a pod\n"
            + "  cluster    ",
            _cli.Out.ToString(),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apply")]
    [InlineData("get")]
    [InlineData("describe")]
    [InlineData("delete")]
    [InlineData("logs")]
    [InlineData("exec")]
    [InlineData("cluster")]
    [InlineData("version")]
    [InlineData("help")]
    public async Task EveryCommand_HasUsageByHelpAndByFlag(string command)
    {
        var byFlag = new CliRun();
        var codes = (await _cli.RunAsync($"help {command}"), await byFlag.RunAsync($"{command} --help"));

        Assert.Equal((0, 0), codes);
        Assert.Equal(_cli.Out.ToString(), byFlag.Out.ToString());
        Assert.Contains($"granary {command}", _cli.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(_cli.Connections);
    }

    [Theory]
    [InlineData("frobnicate", "error: unknown command \"frobnicate\"\nSee 'granary help' for usage.\n")]
    [InlineData("help frobnicate", "error: unknown command \"frobnicate\"\nSee 'granary help help' for usage.\n")]
    [InlineData("get pods --frob", "error: unknown flag: --frob\nSee 'granary help get' for usage.\n")]
    [InlineData("cluster", "error: cluster needs a subcommand: granary cluster status\nSee 'granary help cluster' for usage.\n")]
    public async Task UsageError_PrintsTheProblemAndWhereToLook(string line, string expected)
    {
        var code = await _cli.RunAsync(line);

        Assert.Equal((1, "", expected), _cli.Result(code));
    }

    [Fact]
    public async Task Version_PrintsTheClientVersionWithoutConnecting()
    {
        var code = await _cli.RunAsync("version");

        Assert.Equal(0, code);
        Assert.StartsWith("Client Version: ", _cli.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(_cli.Connections);
    }

    [Fact]
    public async Task ConnectFailure_IsOneLine()
    {
        _cli.ConnectFailure = new GranaryConnectException("could not reach the Granary cluster at gateway 127.0.0.1:30000 (cluster \"granary\") within 15s. Start a silo (dotnet run --project Silo).");

        var code = await _cli.RunAsync("get pods");

        Assert.Equal((1, "", "error: could not reach the Granary cluster at gateway 127.0.0.1:30000 (cluster \"granary\") within 15s. Start a silo (dotnet run --project Silo).\n"), _cli.Result(code));
    }

    [Theory]
    [InlineData("get pods --redis 127.0.0.1:6379 --cluster-id lab", "127.0.0.1:6379", "", "lab")]
    [InlineData("get pods --gateway 127.0.0.1:30001,127.0.0.1:30002", null, "127.0.0.1:30001,127.0.0.1:30002", "granary")]
    public async Task ConnectionFlags_OverrideTheEnvironment(string line, string? redis, string gateways, string clusterId)
    {
        await _cli.RunAsync(line);

        var options = Assert.Single(_cli.Connections);
        Assert.Equal((redis, gateways, clusterId), (options.Redis, string.Join(",", options.Gateways), options.ClusterId));
    }

    [Fact]
    public async Task ServerError_IsPrintedWithItsReason()
    {
        await using var failing = new FailingCluster(new ExpiredException("too old resource version: 3 (12)"));
        var app = new Granary.Cli.CliApp(TextReader.Null, _cli.Out, _cli.Error, TimeProvider.System, (_, _) => Task.FromResult<Granary.Cli.Commands.IClusterApi>(failing));

        var code = await app.RunAsync(["cluster", "status"], CancellationToken.None);

        Assert.Equal((1, "Error from server (Expired): too old resource version: 3 (12)\n"), (code, _cli.Error.ToString()));
    }

    [Fact]
    public async Task ClusterStatus_PrintsSilosAndObjects()
    {
        _cli.Cluster.Status = new ClusterStatus(
            [new SiloInfo("127.0.0.1:11111", "silo-a", "Active", Now - TimeSpan.FromMinutes(12)), new SiloInfo("127.0.0.1:11112", "silo-b", "Active", Now - TimeSpan.FromSeconds(30))],
            [new KindStats("Pod", 12, "1043"), new KindStats("Node", 3, "17"), new KindStats("Namespace", 2, "2")]);

        var code = await _cli.RunAsync("cluster status");

        Assert.Equal(
            (0,
             """
             ADDRESS           NAME     STATUS   UPTIME
             127.0.0.1:11111   silo-a   Active   12m
             127.0.0.1:11112   silo-b   Active   30s

             KIND        COUNT   RESOURCE-VERSION
             Pod         12      1043
             Node        3       17
             Namespace   2       2

             """.ReplaceLineEndings("\n"),
             ""),
            _cli.Result(code));
    }

    [Fact]
    public async Task DescribePod_ShowsTheEventsOfThatPodOnly()
    {
        var pod = Pod("web") with { Metadata = Pod("web").Metadata with { Uid = "uid-now" } };
        Event About(string uid, string reason) => new()
        {
            Metadata = new ObjectMeta { Name = $"web.{reason.ToLowerInvariant()}", Namespace = "default" },
            InvolvedObject = new ObjectReference { Kind = "Pod", Namespace = "default", Name = "web", Uid = uid },
            Type = Event.Normal,
            Reason = reason,
            Message = $"{reason} message",
            Source = new EventSource { Component = "granary-agent" },
            FirstTimestamp = Now.AddSeconds(-40),
            LastTimestamp = Now.AddSeconds(-40),
            Count = 1,
        };
        // An earlier pod of the same name had its own events: describe shows the current pod's only (by uid).
        _cli.Cluster.With(pod, About("uid-now", "Started"), About("uid-before", "Killing"));

        var code = await _cli.RunAsync("describe pod web");

        Assert.Equal(0, code);
        Assert.Contains("list events ns=default labels= fields=involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=uid-now", _cli.Cluster.Calls);
        Assert.Contains("\n  Normal  Started  40s   granary-agent  Started message\n", _cli.Out.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Killing", _cli.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeNode_ListsItsPodsAcrossNamespaces()
    {
        var node = Node("node-1");
        _cli.Cluster.With(node, Pod("a", "team-a", node: "node-1"), Pod("b", node: "node-2"));

        var code = await _cli.RunAsync("describe node node-1");

        Assert.Equal(0, code);
        Assert.Equal(
        [
            "get nodes node-1",
            "list pods ns=* labels= fields=spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed",
            // A node's events live in "default", found as kubectl finds them: by name, no namespace, and uid.
            $"list events ns=default labels= fields=involvedObject.name=node-1,involvedObject.namespace=,involvedObject.uid={node.Metadata.Uid}",
        ], _cli.Cluster.Calls);
        Assert.Contains("Non-terminated Pods:          (1 in total)\n", _cli.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("\n  team-a                      a", _cli.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_SeveralAndMissing_SeparatesThemAndReportsTheMissing()
    {
        _cli.Cluster.With(Namespace("a"), Namespace("b"));

        var code = await _cli.RunAsync("describe ns a nope b");

        Assert.Equal(
            (1,
             "Name:         a\nLabels:       <none>\nAnnotations:  <none>\nStatus:       Active\n\n\nName:         b\nLabels:       <none>\nAnnotations:  <none>\nStatus:       Active\n",
             "Error from server (NotFound): namespaces \"nope\" not found\n"),
            _cli.Result(code));
    }

    /// <summary>A cluster whose every call fails with one server error.</summary>
    private sealed class FailingCluster(GranaryException error) : Granary.Cli.Commands.IClusterApi
    {
        public IResourceClient For(ResourceKind kind) => throw error;

        public Task<ClusterStatus> GetClusterStatusAsync(CancellationToken ct) => Task.FromException<ClusterStatus>(error);

        public IAsyncEnumerable<PodLogLine> ReadPodLogsAsync(string @namespace, string name, string? container, bool follow, int? tailLines,
            DateTimeOffset? since, bool previous, CancellationToken ct) => throw error;

        public Task<PodExecResult> ExecInPodAsync(string @namespace, string name, IReadOnlyList<string> command, string? container, CancellationToken ct) =>
            Task.FromException<PodExecResult>(error);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
