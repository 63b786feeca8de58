using Granary.Api;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public class ExecCommandTests
{
    private readonly CliRun _cli = new();

    public ExecCommandTests() => _cli.Cluster.With(Pod("web"));

    [Fact]
    public async Task Exec_PrintsTheCommandsStdoutAndStderrApart_AndExitsZero()
    {
        _cli.Cluster.ExecResult = new PodExecResult(0, "bin\netc\n", "ls: /root: Permission denied\n");

        var code = await _cli.RunAsync("exec web -- ls /");

        Assert.Equal((0, "bin\netc\n", "ls: /root: Permission denied\n"), _cli.Result(code));
        Assert.Equal(["exec pods default/web container=- command=[\"ls\", \"/\"]"], _cli.Cluster.Calls);
        Assert.True(_cli.Cluster.Disposed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(127)]
    public async Task Exec_CommandFails_ExitsWithItsCodeAsKubectlSaysIt(int exitCode)
    {
        _cli.Cluster.ExecResult = new PodExecResult(exitCode, "partial\n", "sh: nope: not found\n");

        var code = await _cli.RunAsync("exec web -- sh -c nope");

        Assert.Equal((exitCode, "partial\n", $"sh: nope: not found\ncommand terminated with exit code {exitCode}\n"), _cli.Result(code));
    }

    [Fact]
    public async Task Exec_FlagsBeforeTheDash_AreGranarys_AndEverythingAfterIsTheCommands()
    {
        _cli.Cluster.With(Pod("web", "team-a"));

        var code = await _cli.RunAsync(["exec", "pod/web", "-n", "team-a", "-c", "app", "--", "sh", "-c", "echo $HOSTNAME", "-n", "--", "-it"]);

        Assert.Equal(0, code);
        Assert.Equal(["exec pods team-a/web container=app command=[\"sh\", \"-c\", \"echo $HOSTNAME\", \"-n\", \"--\", \"-it\"]"], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task Exec_MissingPod_IsNotFound()
    {
        var code = await _cli.RunAsync("exec gone -- ls");

        Assert.Equal((1, "", "Error from server (NotFound): pods \"gone\" not found\n"), _cli.Result(code));
    }

    [Theory]
    [InlineData("BadRequest", "a container name must be specified for pod web, choose one of: [a b]")]
    [InlineData("ServiceUnavailable", "no agent is connected for node node-1")]
    public async Task Exec_ServerError_IsOneLineWithItsReason(string reason, string message)
    {
        _cli.Cluster.PodFailures["web"] = LogsCommandTests.ServerError(reason, message);

        var code = await _cli.RunAsync("exec web -- ls");

        Assert.Equal((1, "", $"Error from server ({reason}): {message}\n"), _cli.Result(code));
    }

    [Theory]
    [InlineData("exec web", "error: you must specify at least one command for the container\nSee 'granary help exec' for usage.\n")]
    [InlineData("exec web --", "error: you must specify at least one command for the container\nSee 'granary help exec' for usage.\n")]
    [InlineData("exec web ls", "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'granary help exec' for usage.\n")]
    [InlineData("exec web extra -- ls", "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'granary help exec' for usage.\n")]
    [InlineData("exec", "error: pod or type/name must be specified\nSee 'granary help exec' for usage.\n")]
    [InlineData("exec -- ls", "error: pod or type/name must be specified\nSee 'granary help exec' for usage.\n")]
    [InlineData("exec -it web -- sh", "error: interactive exec (-i/-t) is not supported: granary exec runs a command and prints its output\n")]
    [InlineData("exec web -t -- sh", "error: interactive exec (-i/-t) is not supported: granary exec runs a command and prints its output\n")]
    [InlineData("exec web -f x.yaml -- ls", "error: unknown shorthand flag: 'f' in -f\nSee 'granary help exec' for usage.\n")]
    [InlineData("exec node/node-1 -- ls", "error: cannot exec into node/node-1: only pods have containers\n")]
    public async Task Exec_BadArguments_FailWithoutConnecting(string line, string expected)
    {
        var code = await _cli.RunAsync(line);

        Assert.Equal((1, "", expected), _cli.Result(code));
        Assert.Empty(_cli.Connections);
    }
}
