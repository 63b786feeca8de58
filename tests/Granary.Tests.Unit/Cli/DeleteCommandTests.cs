using Granary.Errors;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public sealed class DeleteCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-cli-delete-").FullName;
    private readonly CliRun _cli = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Delete_ByName_PrintsDeletedAndPassesTheGracePeriod()
    {
        _cli.Cluster.With(Pod("a"), Pod("b"));

        var code = await _cli.RunAsync("delete pod a b --grace-period 0");

        Assert.Equal((0, "pod \"a\" deleted\npod \"b\" deleted\n", ""), _cli.Result(code));
        Assert.Equal(["delete pods default/a grace=0", "delete pods default/b grace=0"], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task Delete_Missing_IsNotFoundAndTheRestGoes()
    {
        _cli.Cluster.With(Pod("b", "team-a"));

        var code = await _cli.RunAsync("delete pods web b -n team-a");

        Assert.Equal((1, "pod \"b\" deleted\n", "Error from server (NotFound): pods \"web\" not found\n"), _cli.Result(code));
    }

    [Fact]
    public async Task Delete_BySelector_DeletesWhatMatches()
    {
        var a = Pod("a") with { Metadata = Pod("a").Metadata with { Labels = Map(("app", "web")) } };
        _cli.Cluster.With(a, Pod("b"));

        var code = await _cli.RunAsync("delete pods -l app=web");

        Assert.Equal((0, "pod \"a\" deleted\n", ""), _cli.Result(code));
        Assert.Equal(["list pods ns=default labels=app=web fields=", "delete pods default/a grace=default"], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task Delete_ClusterScopedKindSlashName_IgnoresTheNamespace()
    {
        _cli.Cluster.With(Namespace("team-a"));

        var code = await _cli.RunAsync("delete namespace/team-a -n elsewhere");

        Assert.Equal((0, "namespace \"team-a\" deleted\n", ""), _cli.Result(code));
        Assert.Equal(["delete namespaces team-a grace=default"], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task Delete_FromFile_NamesTheFileWhenNotFound()
    {
        var file = Path.Combine(_dir, "pods.yaml");
        File.WriteAllText(file, "kind: Pod\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: {name: gone, namespace: team-a}\n");
        _cli.Cluster.With(Pod("a"));

        var code = await _cli.RunAsync(["delete", "-f", file]);

        Assert.Equal((1, "pod \"a\" deleted\n", $"Error from server (NotFound): error when deleting \"{file}\": pods \"gone\" not found\n"), _cli.Result(code));
        Assert.Equal(["delete pods default/a grace=default", "delete pods team-a/gone grace=default"], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task Delete_Forbidden_ReportsTheServersReason()
    {
        _cli.Cluster.With(Namespace("default"));
        _cli.Cluster.Client(ResourceKinds.Namespace).Failures["default"] = new ForbiddenException("namespace \"default\" is built in and cannot be deleted");

        var code = await _cli.RunAsync("delete ns default");

        Assert.Equal((1, "", "Error from server (Forbidden): error when deleting namespace/default: namespace \"default\" is built in and cannot be deleted\n"), _cli.Result(code));
    }

    [Theory]
    [InlineData("delete pods", "error: resource(s) were provided, but no name was specified (give NAME or -l SELECTOR)\nSee 'granary help delete' for usage.\n")]
    [InlineData("delete pod web -l app=x", "error: name cannot be provided when a selector is specified\nSee 'granary help delete' for usage.\n")]
    [InlineData("delete pod web -f x.yaml", "error: give either -f or TYPE NAME, not both\nSee 'granary help delete' for usage.\n")]
    public async Task Delete_BadArguments_Fail(string line, string expected)
    {
        var code = await _cli.RunAsync(line);

        Assert.Equal((1, "", expected), _cli.Result(code));
    }
}
