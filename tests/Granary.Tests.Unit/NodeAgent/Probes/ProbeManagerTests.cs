using System.Net;
using System.Net.Sockets;
using Granary.Model;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Probes;

/// <summary>
/// The prober's Kubernetes semantics on a fake clock. Exec probes against a recording engine answer at once,
/// so each clock step runs its attempts to completion before Advance returns.
/// </summary>
public sealed class ProbeManagerTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);
    private readonly RecordingRuntime _runtime;
    private readonly ProbeManager _manager;
    private int _changes;

    public ProbeManagerTests()
    {
        _runtime = new RecordingRuntime(_time);
        _manager = new ProbeManager(_runtime, _time, NullLogger<ProbeManager>.Instance);
        _manager.Changed += () => Interlocked.Increment(ref _changes);
    }

    public void Dispose() => _manager.Dispose();

    private static Probe Check(string name, int? initialDelay = null, int? period = null, int? success = null, int? failure = null) => new()
    {
        Exec = new() { Command = ["check", name] },
        InitialDelaySeconds = initialDelay,
        PeriodSeconds = period,
        SuccessThreshold = success,
        FailureThreshold = failure,
    };

    private static ProbeTarget Target(Container container, string id = "c-1") => new("uid-1", "127.0.0.1", container.Name, id, T0, container);

    private void Seconds(int seconds)
    {
        for (var i = 0; i < seconds; i++)
            _time.Advance(TimeSpan.FromSeconds(1));
    }

    private (bool Started, bool Ready, bool Live) Flags(string id = "c-1") => (_manager.IsStarted(id), _manager.IsReady(id), _manager.IsLive(id));

    [Fact]
    public void Sync_NoProbes_StartedReadyAndLiveAtOnce()
    {
        _manager.Sync([Target(new Container { Name = "web" })]);

        Assert.Equal((true, true, true), Flags());
        Assert.Null(_manager.LastFailure("c-1"));
        Assert.Equal(new ContainerProbeStatus("uid-1", "web", "c-1", true, true, true, null), _manager.Status("c-1"));
    }

    [Fact]
    public void Sync_ProbesNotYetRun_LiveButNotReady()
    {
        _manager.Sync([Target(new Container { Name = "web", LivenessProbe = Check("live", initialDelay: 5), ReadinessProbe = Check("ready", initialDelay: 5) })]);

        Assert.Equal((true, false, true), Flags());
        Assert.Empty(_runtime.Calls);
    }

    [Fact]
    public void Sync_StartupProbeNotYetRun_NotStartedNotReadyButLive()
    {
        _manager.Sync([Target(new Container { Name = "web", StartupProbe = Check("start", initialDelay: 5) })]);

        Assert.Equal((false, false, true), Flags());
    }

    [Fact]
    public void UnknownContainer_NotReadyNotStartedAndNotToBeKilled()
    {
        Assert.Equal((false, false, true), Flags("nope"));
        Assert.Null(_manager.Status("nope"));
        Assert.Null(_manager.LastFailure("nope"));
    }

    [Fact]
    public void Probes_InitialDelayThenOnePerPeriod()
    {
        _manager.Sync([Target(new Container { Name = "web", ReadinessProbe = Check("ready", initialDelay: 5, period: 10) })]);

        Seconds(4);
        Assert.Empty(_runtime.Calls);
        Seconds(31);

        Assert.Equal([5, 15, 25, 35], _runtime.Times("ready", T0));
        Assert.All(_runtime.Calls, c => Assert.Equal(("c-1", "check ready"), (c.ContainerId, c.Command)));
    }

    [Fact]
    public void Probes_NoInitialDelay_FirstAttemptAtSync()
    {
        _manager.Sync([Target(new Container { Name = "web", ReadinessProbe = Check("ready", period: 3) })]);

        Assert.Equal((true, true, true), Flags());
        Seconds(7);
        Assert.Equal([0, 3, 6], _runtime.Times("ready", T0));
    }

    [Fact]
    public void Probes_ContainerStartedEarlier_InitialDelayCountsFromItsStart()
    {
        _time.Advance(TimeSpan.FromSeconds(3));

        _manager.Sync([Target(new Container { Name = "web", ReadinessProbe = Check("ready", initialDelay: 5, period: 10) })]);
        Seconds(2);

        Assert.Equal([5], _runtime.Times("ready", T0));
    }

    [Fact]
    public void Readiness_SuccessThreshold_ReadyOnlyAfterThatManySuccessesInARow()
    {
        _runtime.ExitCodes["ready"] = 1;
        _manager.Sync([Target(new Container { Name = "web", ReadinessProbe = Check("ready", period: 1, success: 3) })]);
        Seconds(2);
        _runtime.ExitCodes["ready"] = 0;

        Seconds(1);
        Assert.False(_manager.IsReady("c-1"));
        Seconds(1);
        Assert.False(_manager.IsReady("c-1"));
        Seconds(1);
        Assert.True(_manager.IsReady("c-1"));
        Assert.Equal(1, _changes);
    }

    [Fact]
    public void Readiness_FailureThreshold_UnreadyOnlyAfterThatManyFailuresInARow()
    {
        _manager.Sync([Target(new Container { Name = "web", ReadinessProbe = Check("ready", period: 1, failure: 3) })]);
        Assert.True(_manager.IsReady("c-1"));
        _runtime.ExitCodes["ready"] = 1;
        _runtime.Output["ready"] = "not yet";

        Seconds(2);
        Assert.True(_manager.IsReady("c-1"));
        Assert.Equal("Readiness probe failed: not yet", _manager.LastFailure("c-1"));
        Seconds(1);

        Assert.Equal((true, false, true), Flags());
        Assert.Equal(2, _changes);
    }

    [Fact]
    public void Readiness_FailureStreakBroken_CountStartsAgain()
    {
        _manager.Sync([Target(new Container { Name = "web", ReadinessProbe = Check("ready", period: 1, failure: 2) })]);
        _runtime.ExitCodes["ready"] = 1;
        Seconds(1);
        _runtime.ExitCodes["ready"] = 0;
        Seconds(1);
        Assert.Null(_manager.LastFailure("c-1"));
        _runtime.ExitCodes["ready"] = 1;
        Seconds(1);

        Assert.True(_manager.IsReady("c-1"));
        Seconds(1);
        Assert.False(_manager.IsReady("c-1"));
    }

    [Fact]
    public void Readiness_Recovers_ReadyAgain()
    {
        _manager.Sync([Target(new Container { Name = "web", ReadinessProbe = Check("ready", period: 1, failure: 1) })]);
        _runtime.ExitCodes["ready"] = 1;
        Seconds(1);
        Assert.False(_manager.IsReady("c-1"));
        _runtime.ExitCodes["ready"] = 0;
        Seconds(1);

        Assert.True(_manager.IsReady("c-1"));
        Assert.Equal(3, _changes);
    }

    [Fact]
    public void Liveness_FailureThreshold_NotLiveThenStopsProbing()
    {
        _runtime.ExitCodes["live"] = 1;
        _runtime.Output["live"] = "dead";
        _manager.Sync([Target(new Container { Name = "web", LivenessProbe = Check("live", period: 10, failure: 3) })]);

        Seconds(19);
        Assert.True(_manager.IsLive("c-1"));
        Seconds(1);
        Assert.False(_manager.IsLive("c-1"));
        Assert.Equal("Liveness probe failed: dead", _manager.LastFailure("c-1"));
        Assert.Equal(1, _changes);

        Seconds(60);
        Assert.Equal([0, 10, 20], _runtime.Times("live", T0));
    }

    [Fact]
    public void Liveness_RestartedContainer_NewIdStartsLiveAndIsProbedAfresh()
    {
        var container = new Container { Name = "web", LivenessProbe = Check("live", period: 10, failure: 1) };
        _runtime.ExitCodes["live"] = 1;
        _manager.Sync([Target(container)]);
        Assert.False(_manager.IsLive("c-1"));
        _runtime.ExitCodes["live"] = 0;
        Seconds(5);

        _manager.Sync([Target(container, "c-2") with { StartedAt = _time.GetUtcNow() }]);

        Assert.True(_manager.IsLive("c-2"));
        Assert.Null(_manager.Status("c-1"));
        Seconds(10);
        Assert.Equal(["c-1", "c-2", "c-2"], _runtime.Calls.Select(c => c.ContainerId));
    }

    [Fact]
    public void Startup_NotYetSucceeded_LivenessAndReadinessWait()
    {
        _runtime.ExitCodes["start"] = 1;
        _manager.Sync([Target(new Container
        {
            Name = "web",
            StartupProbe = Check("start", period: 1, failure: 30),
            LivenessProbe = Check("live", period: 10),
            ReadinessProbe = Check("ready", period: 10),
        })]);

        Seconds(25);

        Assert.Equal(26, _runtime.Times("start", T0).Count());
        Assert.Empty(_runtime.Times("live", T0));
        Assert.Empty(_runtime.Times("ready", T0));
        Assert.Equal((false, false, true), Flags());
        Assert.Equal("Startup probe failed: command \"check start\" exited with code 1", _manager.LastFailure("c-1"));
    }

    [Fact]
    public void Startup_Succeeds_ReadinessRunsAtOnceLivenessOnItsTickAndStartupStops()
    {
        _runtime.ExitCodes["start"] = 1;
        _manager.Sync([Target(new Container
        {
            Name = "web",
            StartupProbe = Check("start", period: 1, failure: 30),
            LivenessProbe = Check("live", period: 10),
            ReadinessProbe = Check("ready", period: 10),
        })]);
        Seconds(3);
        _runtime.ExitCodes["start"] = 0;

        Seconds(1);

        Assert.Equal((true, true, true), Flags());
        Assert.Null(_manager.LastFailure("c-1"));
        Assert.Equal([4], _runtime.Times("ready", T0));
        Seconds(20);
        Assert.Equal([0, 1, 2, 3, 4], _runtime.Times("start", T0));
        Assert.Equal([10, 20], _runtime.Times("live", T0));
        Assert.Equal([4, 14, 24], _runtime.Times("ready", T0));
    }

    [Fact]
    public void Startup_FailureThreshold_NotLiveAndStopsProbing()
    {
        _runtime.ExitCodes["start"] = 1;
        _manager.Sync([Target(new Container
        {
            Name = "web",
            StartupProbe = Check("start", period: 1, failure: 3),
            LivenessProbe = Check("live", period: 1),
        })]);

        Seconds(1);
        Assert.True(_manager.IsLive("c-1"));
        Seconds(1);
        Assert.Equal((false, false, false), Flags());

        Seconds(10);
        Assert.Equal(3, _runtime.Times("start", T0).Count());
        Assert.Empty(_runtime.Times("live", T0));
    }

    [Fact]
    public void Probes_EngineErrors_DoNotCount()
    {
        _runtime.Failures["live"] = new RuntimeException(RuntimeErrorKind.Unavailable, "engine down");
        _manager.Sync([Target(new Container { Name = "web", LivenessProbe = Check("live", period: 1, failure: 1) })]);

        Seconds(5);

        Assert.True(_manager.IsLive("c-1"));
        Assert.Equal("Liveness probe errored: engine down", _manager.LastFailure("c-1"));
        Assert.Equal(6, _runtime.Times("live", T0).Count());
        Assert.Equal(0, _changes);
    }

    [Fact]
    public void LastFailure_SeveralProbesFailing_LivenessFirst()
    {
        _runtime.ExitCodes["live"] = 1;
        _runtime.ExitCodes["ready"] = 1;
        _manager.Sync([Target(new Container { Name = "web", LivenessProbe = Check("live", period: 1), ReadinessProbe = Check("ready", period: 1) })]);

        Assert.Equal("Liveness probe failed: command \"check live\" exited with code 1", _manager.LastFailure("c-1"));
    }

    [Fact]
    public void Sync_ContainerGone_ItsProbesStopAndItsResultsGo()
    {
        _manager.Sync([
            Target(new Container { Name = "web", ReadinessProbe = Check("ready", period: 1) }),
            Target(new Container { Name = "side", ReadinessProbe = Check("side", period: 1) }, "c-2"),
        ]);
        Seconds(2);

        _manager.Sync([Target(new Container { Name = "side", ReadinessProbe = Check("side", period: 1) }, "c-2")]);
        Seconds(3);

        Assert.Equal([0, 1, 2], _runtime.Times("ready", T0));
        Assert.Equal([0, 1, 2, 3, 4, 5], _runtime.Times("side", T0));
        Assert.Null(_manager.Status("c-1"));
        Assert.False(_manager.IsReady("c-1"));
        Assert.True(_manager.IsReady("c-2"));
    }

    [Fact]
    public void Sync_SameContainerAgain_KeepsItsProbesAndResults()
    {
        var target = Target(new Container { Name = "web", ReadinessProbe = Check("ready", period: 2, success: 2) });
        _manager.Sync([target]);
        Seconds(1);

        _manager.Sync([target, target]);
        _manager.Sync([target]);
        Seconds(1);

        Assert.Equal([0, 2], _runtime.Times("ready", T0));
        Assert.True(_manager.IsReady("c-1"));
    }

    [Fact]
    public void Dispose_StopsEveryProbe()
    {
        _manager.Sync([Target(new Container { Name = "web", ReadinessProbe = Check("ready", period: 1) })]);

        _manager.Dispose();
        Seconds(5);

        Assert.Single(_runtime.Calls);
        Assert.Throws<ObjectDisposedException>(() => _manager.Sync([]));
    }

    [Fact]
    public void Changed_HandlerThrows_ProbingGoesOn()
    {
        _manager.Changed += () => throw new InvalidOperationException("handler bug");
        _runtime.ExitCodes["ready"] = 1;
        _manager.Sync([Target(new Container { Name = "web", ReadinessProbe = Check("ready", period: 1, failure: 1) })]);
        _runtime.ExitCodes["ready"] = 0;

        Seconds(1);

        Assert.True(_manager.IsReady("c-1"));
        Assert.Equal(1, _changes);
    }

    [Fact]
    public async Task Readiness_TcpProbeAgainstARealListener_ReadyWhenItListens()
    {
        int port;
        using (var probed = new TcpListener(IPAddress.Loopback, 0))
        {
            probed.Start();
            port = ((IPEndPoint)probed.LocalEndpoint).Port;
            probed.Stop();
        }
        var container = new Container { Name = "web", ReadinessProbe = new() { TcpSocket = new() { Port = port }, PeriodSeconds = 1, FailureThreshold = 1 } };

        _manager.Sync([Target(container)]);
        await WaitFor(() => _manager.LastFailure("c-1") is not null, "the first readiness attempt (connection refused)");
        Assert.False(_manager.IsReady("c-1"));
        Assert.Equal($"Readiness probe failed: dial tcp 127.0.0.1:{port}: connect: connection refused", _manager.LastFailure("c-1"));

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        try
        {
            // One period per poll: a tick that meets the last attempt still finishing is skipped, the next one probes.
            await WaitFor(() =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return _manager.IsReady("c-1");
            }, "readiness once the port listens");

            Assert.Null(_manager.LastFailure("c-1"));
            Assert.Equal(1, _changes);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Polls a condition a real socket makes true; the message names what was awaited.</summary>
    private static async Task WaitFor(Func<bool> condition, string what)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (patience.IsCancellationRequested)
                Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
