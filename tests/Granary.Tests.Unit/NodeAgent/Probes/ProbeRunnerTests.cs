using System.Net;
using System.Net.Sockets;
using Granary.Model;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Probes;

public sealed class ProbeRunnerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingRuntime _runtime;
    private readonly ProbeRunner _runner;

    public ProbeRunnerTests()
    {
        _runtime = new RecordingRuntime(_time);
        _runner = new ProbeRunner(_runtime, _time);
    }

    public void Dispose() => _runner.Dispose();

    private static ProbeTarget Target(string podIp = "127.0.0.1", params ContainerPort[] ports) =>
        new("uid-1", podIp, "web", "c-1", DateTimeOffset.UnixEpoch, new Container { Name = "web", Ports = [.. ports] });

    private static Probe ExecProbe(int? timeoutSeconds = null, params string[] command) =>
        new() { Exec = new() { Command = [.. command] }, TimeoutSeconds = timeoutSeconds };

    private Task<ProbeResult> Run(Probe probe, ProbeTarget? target = null, ProbeKind kind = ProbeKind.Liveness) =>
        _runner.RunAsync(kind, probe, target ?? Target(), CancellationToken.None).WaitAsync(Patience);

    /// <summary>A port nothing listens on: bound once, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Exec_ExitZero_SucceedsAndRunsInTheContainerWithTheTimeout()
    {
        var result = await Run(ExecProbe(3, "cat", "/tmp/healthy"));

        Assert.Equal(ProbeResult.Success, result);
        var call = Assert.Single(_runtime.Calls);
        Assert.Equal(("c-1", "cat /tmp/healthy", TimeSpan.FromSeconds(3)), (call.ContainerId, call.Command, call.Timeout));
    }

    [Fact]
    public async Task Exec_DefaultTimeout_OneSecond()
    {
        await Run(ExecProbe(null, "true"));

        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(_runtime.Calls).Timeout);
    }

    [Fact]
    public async Task Exec_NonZeroWithOutput_FailsWithTheOutput()
    {
        _runtime.ExitCodes["/tmp/healthy"] = 1;
        _runtime.Output["/tmp/healthy"] = "cat: can't open '/tmp/healthy': No such file or directory\n";

        var result = await Run(ExecProbe(null, "cat", "/tmp/healthy"));

        Assert.Equal(new ProbeResult(ProbeOutcome.Failure, "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"), result);
    }

    [Fact]
    public async Task Exec_NonZeroWithoutOutput_SaysTheExitCode()
    {
        _runtime.ExitCodes["/tmp/ready"] = 2;

        var result = await Run(ExecProbe(null, "test", "-f", "/tmp/ready"), kind: ProbeKind.Readiness);

        Assert.Equal(new ProbeResult(ProbeOutcome.Failure, "Readiness probe failed: command \"test -f /tmp/ready\" exited with code 2"), result);
    }

    [Fact]
    public async Task Exec_RuntimeTimeout_FailsAsTimedOut()
    {
        _runtime.Failures["10"] = new RuntimeException(RuntimeErrorKind.Timeout, "exec timed out after 1s");

        var result = await Run(ExecProbe(null, "sleep", "10"), kind: ProbeKind.Startup);

        Assert.Equal(new ProbeResult(ProbeOutcome.Failure, "Startup probe failed: command \"sleep 10\" timed out"), result);
    }

    [Fact]
    public async Task Exec_EngineUnavailable_IsAnErrorNotAFailure()
    {
        _runtime.Failures["x"] = new RuntimeException(RuntimeErrorKind.Unavailable, "Cannot connect to the Docker daemon");

        var result = await Run(ExecProbe(null, "x"));

        Assert.Equal(new ProbeResult(ProbeOutcome.Error, "Liveness probe errored: Cannot connect to the Docker daemon"), result);
    }

    [Fact]
    public async Task Exec_NoCommand_IsAnError()
    {
        var result = await Run(ExecProbe(null));

        Assert.Equal(new ProbeResult(ProbeOutcome.Error, "Liveness probe errored: the exec probe has no command"), result);
    }

    [Fact]
    public async Task NoAction_IsAnError()
    {
        var result = await Run(new Probe());

        Assert.Equal(new ProbeResult(ProbeOutcome.Error, "Liveness probe errored: the probe has no exec, tcpSocket or httpGet action"), result);
    }

    [Fact]
    public async Task Tcp_Listening_SucceedsAtThePodAddress()
    {
        // Any 127.x address answers on Linux: the loopback pod network relies on it.
        using var listener = new TcpListener(IPAddress.Parse("127.1.0.5"), 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;

            var result = await Run(new Probe { TcpSocket = new() { Port = port } }, Target("127.1.0.5"));

            Assert.Equal(ProbeResult.Success, result);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tcp_NamedPort_ResolvedFromTheContainersPorts()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var target = Target("127.0.0.1", new ContainerPort { Name = "other", Number = ClosedPort() }, new ContainerPort { Name = "probe", Number = port });

            var result = await Run(new Probe { TcpSocket = new() { Port = "probe" } }, target);

            Assert.Equal(ProbeResult.Success, result);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tcp_HostSet_ConnectsThereInsteadOfThePod()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;

            var result = await Run(new Probe { TcpSocket = new() { Port = port, Host = "127.0.0.1" } }, Target("127.1.0.9"));

            Assert.Equal(ProbeResult.Success, result);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tcp_NothingListening_FailsLikeGosDial()
    {
        var port = ClosedPort();

        var result = await Run(new Probe { TcpSocket = new() { Port = port } });

        Assert.Equal(new ProbeResult(ProbeOutcome.Failure, $"Liveness probe failed: dial tcp 127.0.0.1:{port}: connect: connection refused"), result);
    }

    [Theory]
    [InlineData("metrics", "Liveness probe errored: couldn't find port \"metrics\" in container web")]
    [InlineData("", "Liveness probe errored: couldn't find port \"\" in container web")]
    public async Task Tcp_UnknownPortName_IsAnError(string name, string message)
    {
        var result = await Run(new Probe { TcpSocket = new() { Port = name } }, Target("127.0.0.1", new ContainerPort { Name = "http", Number = 8080 }));

        Assert.Equal(new ProbeResult(ProbeOutcome.Error, message), result);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(70000)]
    public async Task Tcp_PortOutOfRange_IsAnError(int port)
    {
        var result = await Run(new Probe { TcpSocket = new() { Port = port } });

        Assert.Equal(new ProbeResult(ProbeOutcome.Error, $"Liveness probe errored: invalid port number: {port}"), result);
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(204, true)]
    [InlineData(302, true)]
    [InlineData(399, true)]
    [InlineData(404, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public async Task Http_Status_SucceedsFrom200To399(int status, bool succeeds)
    {
        await using var server = new RawHttpServer(status);

        var result = await Run(new Probe { HttpGet = new() { Path = "/healthz", Port = server.Port } });

        Assert.Equal(succeeds ? ProbeResult.Success : new ProbeResult(ProbeOutcome.Failure, $"Liveness probe failed: HTTP probe failed with statuscode: {status}"), result);
    }

    [Fact]
    public async Task Http_Request_GetsThePathFromThePodAddressLikeKubeProbe()
    {
        await using var server = new RawHttpServer(200, "127.1.0.6");

        await Run(new Probe { HttpGet = new() { Path = "healthz?full=1", Port = "http" } },
            Target("127.1.0.6", new ContainerPort { Name = "http", Number = server.Port }));

        var head = Assert.Single(server.Requests).Split("\r\n");
        Assert.Equal("GET /healthz?full=1 HTTP/1.1", head[0]);
        Assert.Contains($"Host: 127.1.0.6:{server.Port}", head);
        Assert.Contains("User-Agent: kube-probe/granary", head);
        Assert.Contains("Connection: close", head);
    }

    [Fact]
    public async Task Http_NoPath_GetsTheRoot()
    {
        await using var server = new RawHttpServer(200);

        await Run(new Probe { HttpGet = new() { Port = server.Port } });

        Assert.StartsWith("GET / HTTP/1.1\r\n", Assert.Single(server.Requests), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_NothingListening_FailsLikeGosHttpClient()
    {
        var port = ClosedPort();

        var result = await Run(new Probe { HttpGet = new() { Path = "/healthz", Port = port } }, kind: ProbeKind.Readiness);

        Assert.Equal(new ProbeResult(ProbeOutcome.Failure,
            $"Readiness probe failed: Get \"http://127.0.0.1:{port}/healthz\": dial tcp 127.0.0.1:{port}: connect: connection refused"), result);
    }

    [Fact]
    public async Task Http_NoAnswerWithinTimeout_FailsAsDeadlineExceeded()
    {
        await using var server = new RawHttpServer(status: null);
        var probe = new Probe { HttpGet = new() { Path = "/slow", Port = server.Port }, TimeoutSeconds = 2 };

        var attempt = _runner.RunAsync(ProbeKind.Liveness, probe, Target(), CancellationToken.None);
        await server.FirstRequest.Task.WaitAsync(Patience);
        Assert.False(attempt.IsCompleted, "the probe gave up before its timeout passed on the clock");
        _time.Advance(TimeSpan.FromSeconds(2));
        var result = await attempt.WaitAsync(Patience);

        Assert.Equal(new ProbeResult(ProbeOutcome.Failure,
            $"Liveness probe failed: Get \"http://127.0.0.1:{server.Port}/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"), result);
    }

    [Fact]
    public async Task Http_BadScheme_IsAnError()
    {
        var result = await Run(new Probe { HttpGet = new() { Port = 80, Scheme = "FTP" } });

        Assert.Equal(new ProbeResult(ProbeOutcome.Error, "Liveness probe errored: invalid URL \"ftp://127.0.0.1:80/\": scheme must be HTTP or HTTPS"), result);
    }

    [Fact]
    public async Task Run_CallerCancels_Throws()
    {
        await using var server = new RawHttpServer(status: null);
        using var cts = new CancellationTokenSource();

        var attempt = _runner.RunAsync(ProbeKind.Liveness, new Probe { HttpGet = new() { Port = server.Port } }, Target(), cts.Token);
        await server.FirstRequest.Task.WaitAsync(Patience);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt.WaitAsync(Patience));
    }

    [Fact]
    public void Settings_Unset_KubernetesDefaults()
    {
        Assert.Equal(new ProbeSettings(TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), 1, 3), ProbeSettings.Of(new Probe()));
        Assert.Equal(new ProbeSettings(TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), 1, 3),
            ProbeSettings.Of(new Probe { InitialDelaySeconds = -1, PeriodSeconds = 0, TimeoutSeconds = 0, SuccessThreshold = 0, FailureThreshold = 0 }));
        Assert.Equal(new ProbeSettings(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), 2, 4),
            ProbeSettings.Of(new Probe { InitialDelaySeconds = 5, PeriodSeconds = 2, TimeoutSeconds = 3, SuccessThreshold = 2, FailureThreshold = 4 }));
    }
}
