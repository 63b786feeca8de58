using Granary.Api;
using Granary.Cli.Commands;
using Granary.Errors;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public class LogsCommandTests
{
    private static readonly PodLogLine Starting = new(new DateTimeOffset(2024, 3, 1, 11, 59, 57, TimeSpan.Zero).AddTicks(1_234_567), false, "starting");
    // Written two hours east of UTC: printed in UTC, as the time it is.
    private static readonly PodLogLine Warning = new(new DateTimeOffset(2024, 3, 1, 13, 59, 58, TimeSpan.FromHours(2)).AddTicks(5_000_000), true, "warning: low disk");
    private static readonly PodLogLine Ready = new(new DateTimeOffset(2024, 3, 1, 11, 59, 59, TimeSpan.Zero), false, "ready");

    private readonly CliRun _cli = new();

    public LogsCommandTests()
    {
        _cli.Cluster.With(Pod("web"));
        _cli.Cluster.Logs.AddRange([Starting, Warning, Ready]);
    }

    [Fact]
    public async Task Logs_PrintsEveryLineToStdout_StderrLinesToo()
    {
        var code = await _cli.RunAsync("logs web");

        Assert.Equal((0, "starting\nwarning: low disk\nready\n", ""), _cli.Result(code));
        Assert.Equal(["logs pods default/web container=- follow=False tail=- since=- previous=False"], _cli.Cluster.Calls);
        Assert.True(_cli.Cluster.Disposed);
    }

    [Fact]
    public async Task Logs_WithTimestamps_PrefixesEachLineWithItsRfc3339NanoTime()
    {
        var code = await _cli.RunAsync("logs web --timestamps");

        Assert.Equal(
            (0,
             "2024-03-01T11:59:57.1234567Z starting\n"
             + "2024-03-01T11:59:58.5Z warning: low disk\n"
             + "2024-03-01T11:59:59Z ready\n",
             ""),
            _cli.Result(code));
    }

    [Theory]
    [InlineData(0L, "2024-03-01T12:00:00Z")]
    [InlineData(1L, "2024-03-01T12:00:00.0000001Z")]
    [InlineData(1_000_000L, "2024-03-01T12:00:00.1Z")]
    [InlineData(1_230_000L, "2024-03-01T12:00:00.123Z")]
    public void Rfc3339Nano_DropsTrailingZerosOfTheFraction(long ticks, string expected)
    {
        Assert.Equal(expected, LogsCommand.Rfc3339Nano(Now.AddTicks(ticks)));
    }

    [Fact]
    public async Task Logs_Flags_AreAllPassedOn()
    {
        _cli.Cluster.With(Pod("web", "team-a"));

        var code = await _cli.RunAsync("logs pod/web -n team-a -c app --tail 20 --since 1h30m -p");

        Assert.Equal(0, code);
        Assert.Equal(["logs pods team-a/web container=app follow=False tail=20 since=2024-03-01T10:30:00.0000000+00:00 previous=True"], _cli.Cluster.Calls);
    }

    [Theory]
    [InlineData("logs web app", "container=app follow=False tail=- since=-")]
    [InlineData("logs web --tail -1 --since 0", "container=- follow=False tail=- since=-")]
    [InlineData("logs web --tail 0", "container=- follow=False tail=0 since=-")]
    [InlineData("logs web --since 90s", "container=- follow=False tail=- since=2024-03-01T11:58:30.0000000+00:00")]
    public async Task Logs_ContainerTailAndSince_ReadAsKubectlDoes(string line, string expected)
    {
        await _cli.RunAsync(line);

        Assert.Equal([$"logs pods default/web {expected} previous=False"], _cli.Cluster.Calls);
    }

    [Fact]
    public async Task LogsFollow_PrintsUntilCancelled_ThenExitsZero()
    {
        using var cancel = new CancellationTokenSource();

        var run = _cli.RunAsync("logs web -f", cancel.Token);
        await _cli.Cluster.LogsDrained.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        var code = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((0, "starting\nwarning: low disk\nready\n", ""), _cli.Result(code));
        Assert.Equal(["logs pods default/web container=- follow=True tail=- since=- previous=False"], _cli.Cluster.Calls);
        Assert.True(_cli.Cluster.Disposed);
    }

    [Fact]
    public async Task LogsFollow_EndsWhenTheContainerStops()
    {
        _cli.Cluster.ContainerStops = true;

        var code = await _cli.RunAsync("logs web --follow --timestamps");

        Assert.Equal((0, "2024-03-01T11:59:57.1234567Z starting\n2024-03-01T11:59:58.5Z warning: low disk\n2024-03-01T11:59:59Z ready\n", ""), _cli.Result(code));
    }

    [Fact]
    public async Task Logs_MissingPod_IsNotFound()
    {
        var code = await _cli.RunAsync("logs gone");

        Assert.Equal((1, "", "Error from server (NotFound): pods \"gone\" not found\n"), _cli.Result(code));
    }

    [Theory]
    [InlineData("BadRequest", "a container name must be specified for pod web, choose one of: [a b]")]
    [InlineData("BadRequest", "container nope is not valid for pod web")]
    [InlineData("ServiceUnavailable", "no agent is connected for node node-1")]
    public async Task Logs_ServerError_IsOneLineWithItsReason(string reason, string message)
    {
        _cli.Cluster.PodFailures["web"] = ServerError(reason, message);

        var code = await _cli.RunAsync("logs web");

        Assert.Equal((1, "", $"Error from server ({reason}): {message}\n"), _cli.Result(code));
    }

    [Theory]
    [InlineData("logs", "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'. POD or TYPE/NAME is a required argument for the logs command\nSee 'granary help logs' for usage.\n")]
    [InlineData("logs web app extra", "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'. POD or TYPE/NAME is a required argument for the logs command\nSee 'granary help logs' for usage.\n")]
    [InlineData("logs web app -c app", "error: only one of -c or an inline [CONTAINER] arg is allowed\nSee 'granary help logs' for usage.\n")]
    [InlineData("logs web --tail -2", "error: --tail must be greater than or equal to -1\nSee 'granary help logs' for usage.\n")]
    [InlineData("logs web --since -5m", "error: --since must be greater than 0\nSee 'granary help logs' for usage.\n")]
    [InlineData("logs web --since 5d", "error: invalid argument \"5d\" for \"--since\" flag: time: unknown unit \"d\" in duration \"5d\"\nSee 'granary help logs' for usage.\n")]
    [InlineData("logs web --filename x.yaml", "error: unknown flag: --filename\nSee 'granary help logs' for usage.\n")]
    [InlineData("logs pod/", "error: arguments in resource/name form must have a single resource and name, not \"pod/\"\nSee 'granary help logs' for usage.\n")]
    [InlineData("logs node/node-1", "error: cannot get the logs of node/node-1: only pods have containers\n")]
    [InlineData("logs rc/web", "error: the server doesn't have a resource type \"rc\"\n")]
    [InlineData("logs sts/web", "error: cannot get the logs of statefulset/web: only pods have containers\n")]
    [InlineData("logs deploy/web", "error: cannot get the logs of deployment/web: only pods have containers\n")]
    public async Task Logs_BadArguments_FailWithoutConnecting(string line, string expected)
    {
        var code = await _cli.RunAsync(line);

        Assert.Equal((1, "", expected), _cli.Result(code));
        Assert.Empty(_cli.Connections);
    }

    internal static GranaryException ServerError(string reason, string message) => reason switch
    {
        "BadRequest" => new BadRequestException(message),
        "ServiceUnavailable" => new ServiceUnavailableException(message),
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "a reason these tests know"),
    };
}
