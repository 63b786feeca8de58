using System.Text;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Process;
using Granary.Tests.Unit.Grains;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.NodeAgent.Runtime;

/// <summary>The process driver with real host processes: the runtime contract, plus adoption by a restarted agent.</summary>
public sealed class ProcessRuntimeTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly string _stateDir = Directory.CreateTempSubdirectory("granary-process-").FullName;
    private readonly string _uid = Guid.NewGuid().ToString("N");
    private ProcessRuntime _runtime = null!;

    public Task InitializeAsync()
    {
        _runtime = New();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        // Kill whatever a test left running, then drop the state.
        foreach (var container in await _runtime.ListAsync(new Dictionary<string, string>(), CancellationToken.None))
            await _runtime.RemoveAsync(container.Id, CancellationToken.None);
        _runtime.Dispose();
        Directory.Delete(_stateDir, recursive: true);
    }

    private ProcessRuntime New() => new(_stateDir, NullLogger.Instance);

    private Dictionary<string, string> Labels => new()
    {
        [ContainerLabels.ManagedBy] = ContainerLabels.ManagedByValue,
        [ContainerLabels.PodUid] = _uid,
    };

    private ContainerSpec Spec(string script) => new()
    {
        Name = $"t-{Guid.NewGuid().ToString("N")[..8]}",
        Image = "local/busybox:1",
        Command = ["sh", "-c", script],
        Labels = Labels,
    };

    private async Task<string> RunAsync(ContainerSpec spec)
    {
        var id = await _runtime.CreateAsync(spec, CancellationToken.None);
        await _runtime.StartAsync(id, CancellationToken.None);
        return id;
    }

    [Fact]
    public async Task CreateAndStart_WithLabelsEnvAndCommand_RunsAndIsListedByItsLabels()
    {
        var workDir = Directory.CreateDirectory(Path.Combine(_stateDir, "wd")).FullName;
        var before = DateTimeOffset.UtcNow;
        var spec = Spec("echo \"$GREETING from $(pwd) on $HOSTNAME\"; sleep 30") with
        {
            Env = new Dictionary<string, string> { ["GREETING"] = "hello" },
            WorkingDir = workDir,
            Hostname = "pod-a",
        };

        var id = await _runtime.CreateAsync(spec, CancellationToken.None);
        var created = await _runtime.InspectAsync(id, CancellationToken.None);
        await _runtime.StartAsync(id, CancellationToken.None);
        var running = await _runtime.InspectAsync(id, CancellationToken.None);
        var line = await WaitForLogAsync(_runtime, id, $"hello from {workDir} on pod-a", "first line of a started process");

        Assert.Equal(ContainerRunState.Created, created!.State);
        Assert.Null(created.StartedAt);
        Assert.Equal((ContainerRunState.Running, spec.Name, "local/busybox:1", (int?)null), (running!.State, running.Name, running.Image, running.ExitCode));
        Assert.Equal(Labels.OrderBy(l => l.Key), running.Labels.OrderBy(l => l.Key));
        Assert.InRange(running.StartedAt!.Value, before, DateTimeOffset.UtcNow);
        Assert.InRange(line.Timestamp, running.StartedAt.Value, DateTimeOffset.UtcNow);
        Assert.Equal([id], (await _runtime.ListAsync(Labels, CancellationToken.None)).Select(c => c.Id));
        Assert.Empty(await _runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.PodUid] = "someone-else" }, CancellationToken.None));
        Assert.StartsWith("process://10.", await _runtime.VersionAsync(CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithANameInUse_IsAConflict_AndWithoutACommandOrWithARealMountFails()
    {
        var spec = Spec("sleep 30");
        await _runtime.CreateAsync(spec, CancellationToken.None);

        var taken = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.CreateAsync(spec, CancellationToken.None));
        var empty = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.CreateAsync(spec with { Name = "other", Command = null }, CancellationToken.None));
        var mount = await Assert.ThrowsAsync<RuntimeException>(() =>
            _runtime.CreateAsync(spec with { Name = "mounted", Mounts = [new VolumeMount("/srv/a", "/a", ReadOnly: true)] }, CancellationToken.None));
        var sameMount = await _runtime.CreateAsync(spec with { Name = "same-path", Mounts = [new VolumeMount("/srv/a", "/srv/a", ReadOnly: true)] }, CancellationToken.None);

        Assert.Equal((RuntimeErrorKind.Conflict, RuntimeErrorKind.Failed, RuntimeErrorKind.Failed), (taken.Kind, empty.Kind, mount.Kind));
        Assert.Equal(2, (await _runtime.ListAsync(Labels, CancellationToken.None)).Count);
        Assert.NotNull(await _runtime.InspectAsync(sameMount, CancellationToken.None));
    }

    [Fact]
    public async Task Start_InAWorkingDirectoryThatDoesNotExist_Fails()
    {
        var id = await _runtime.CreateAsync(Spec("true") with { WorkingDir = Path.Combine(_stateDir, "missing") }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.StartAsync(id, CancellationToken.None));

        Assert.Equal(RuntimeErrorKind.Failed, error.Kind);
        Assert.False(Directory.Exists(Path.Combine(_stateDir, "missing")));
    }

    [Fact]
    public async Task Start_OfAMissingExecutable_FailsAndRecordsExit127()
    {
        var id = await _runtime.CreateAsync(Spec("") with { Command = ["no-such-program-here"] }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.StartAsync(id, CancellationToken.None));
        var info = await _runtime.InspectAsync(id, CancellationToken.None);

        Assert.Equal(RuntimeErrorKind.Failed, error.Kind);
        Assert.Equal((ContainerRunState.Exited, (int?)127), (info!.State, info.ExitCode));
        Assert.Equal("exec: \"no-such-program-here\": executable file not found in $PATH", info.Error);
    }

    [Fact]
    public async Task Logs_KeepStdoutAndStderrApart_AndHonourTailAndSince()
    {
        var id = await RunAsync(Spec("echo a; echo oops >&2; sleep 0.2; echo b; echo c"));
        await WaitForStateAsync(_runtime, id, ContainerRunState.Exited, "a process that prints and exits");

        var all = await ReadLogsAsync(_runtime, id, new LogOptions());
        var b = all.Single(l => l.Text == "b");
        var tail = await ReadLogsAsync(_runtime, id, new LogOptions { Tail = 2 });
        var since = await ReadLogsAsync(_runtime, id, new LogOptions { Since = b.Timestamp });

        Assert.Equal(["a", "b", "c"], all.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Text));
        Assert.Equal(["oops"], all.Where(l => l.Stream == LogStream.Stderr).Select(l => l.Text));
        Assert.Equal(["b", "c"], tail.Select(l => l.Text));
        Assert.Equal(["b", "c"], since.Select(l => l.Text));
    }

    [Fact]
    public async Task Logs_LastLineWithoutNewline_IsFlushedAtTheEnd()
    {
        var id = await RunAsync(Spec("echo whole; printf partial"));
        await WaitForStateAsync(_runtime, id, ContainerRunState.Exited, "a process whose last line has no newline");

        var lines = await ReadLogsAsync(_runtime, id, new LogOptions());

        Assert.Equal(["whole", "partial"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task Logs_Follow_ReceivesALineWrittenLater_AndEndsCleanlyOnCancel()
    {
        var id = await RunAsync(Spec("echo first; while [ ! -e go ]; do sleep 0.05; done; echo second; sleep 30"));
        using var follow = new CancellationTokenSource();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new List<string>();
        var reader = Task.Run(async () =>
        {
            await foreach (var line in _runtime.ReadLogsAsync(id, new LogOptions { Follow = true }, follow.Token))
            {
                received.Add(line.Text);
                (line.Text == "first" ? first : line.Text == "second" ? second : null)?.TrySetResult();
            }
        });

        await first.Task.WaitAsync(Wait);
        Assert.Equal(0, (await _runtime.ExecAsync(id, ["touch", "go"], ReadOnlyMemory<byte>.Empty, Wait, CancellationToken.None)).ExitCode);
        await second.Task.WaitAsync(Wait);
        await follow.CancelAsync();
        await reader.WaitAsync(Wait); // ends without an exception

        Assert.Equal(["first", "second"], received);
    }

    [Fact]
    public async Task Logs_Follow_EndsWhenTheProcessExits()
    {
        var id = await RunAsync(Spec("echo one; while [ ! -e go ]; do sleep 0.05; done; echo two"));
        var lines = new List<string>();

        var reading = Task.Run(async () =>
        {
            await foreach (var line in _runtime.ReadLogsAsync(id, new LogOptions { Follow = true }, CancellationToken.None))
                lines.Add(line.Text);
        });
        await WaitForLogAsync(_runtime, id, "one", "a process waiting for its go file");
        await File.WriteAllTextAsync(Path.Combine(_stateDir, id, "work", "go"), "");
        await reading.WaitAsync(Wait);

        Assert.Equal(["one", "two"], lines);
    }

    [Fact]
    public async Task Exec_RunsWithTheContainersEnvironment_AndReturnsExitCodeAndOutput()
    {
        var id = await RunAsync(Spec("sleep 30") with { Env = new Dictionary<string, string> { ["WHO"] = "exec" } });

        var result = await _runtime.ExecAsync(id, ["sh", "-c", "echo out $WHO; echo err >&2; exit 7"], ReadOnlyMemory<byte>.Empty, Wait, CancellationToken.None);

        Assert.Equal(new ExecResult(7, "out exec\n", "err\n"), result);
    }

    [Fact]
    public async Task Exec_WithStdin_TheCommandReadsItThenItsEnd()
    {
        var id = await RunAsync(Spec("sleep 30"));
        var input = Encoding.UTF8.GetBytes("line one\nline two\n");

        var cat = await _runtime.ExecAsync(id, ["cat"], input, Wait, CancellationToken.None);
        var count = await _runtime.ExecAsync(id, ["wc", "-l"], input, Wait, CancellationToken.None);
        var ignores = await _runtime.ExecAsync(id, ["true"], new byte[1 << 20], Wait, CancellationToken.None);

        Assert.Equal(new ExecResult(0, "line one\nline two\n", ""), cat);
        Assert.Equal("2", count.Stdout.Trim());
        Assert.Equal(0, ignores.ExitCode);
    }

    [Fact]
    public async Task Exec_PastItsTimeout_FailsWithTimeout_AndInAStoppedContainerIsAConflict()
    {
        var running = await RunAsync(Spec("sleep 30"));
        var exited = await RunAsync(Spec("exit 0"));
        await WaitForStateAsync(_runtime, exited, ContainerRunState.Exited, "a process that exits at once");

        var timeout = await Assert.ThrowsAsync<RuntimeException>(() =>
            _runtime.ExecAsync(running, ["sleep", "10"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        var stopped = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.ExecAsync(exited, ["true"], ReadOnlyMemory<byte>.Empty, Wait, CancellationToken.None));
        var missing = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.ExecAsync("nope", ["true"], ReadOnlyMemory<byte>.Empty, Wait, CancellationToken.None));

        Assert.Equal((RuntimeErrorKind.Timeout, RuntimeErrorKind.Conflict, RuntimeErrorKind.NotFound), (timeout.Kind, stopped.Kind, missing.Kind));
    }

    [Fact]
    public async Task Stop_SendsSigtermFirst_SoATrapDecidesTheExitCode_AndStoppingAgainIsFine()
    {
        var id = await RunAsync(Spec("trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.1; done"));
        await WaitForLogAsync(_runtime, id, "ready", "a process that traps SIGTERM");

        await _runtime.StopAsync(id, TimeSpan.FromSeconds(10), CancellationToken.None);
        var stopped = await _runtime.InspectAsync(id, CancellationToken.None);
        await _runtime.StopAsync(id, TimeSpan.FromSeconds(10), CancellationToken.None);
        await _runtime.StopAsync("no-such-container", TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal((ContainerRunState.Exited, (int?)3), (stopped!.State, stopped.ExitCode));
        Assert.Contains("got TERM", (await ReadLogsAsync(_runtime, id, new LogOptions())).Select(l => l.Text));
    }

    [Fact]
    public async Task Stop_ReachesTheWholeProcessGroup_AndAnIgnoredSigtermEndsInSigkill()
    {
        var plain = await RunAsync(Spec("sleep 30; echo never"));
        var stubborn = await RunAsync(Spec("trap '' TERM; echo ready; while :; do sleep 0.1; done"));
        await WaitForLogAsync(_runtime, stubborn, "ready", "a process that ignores SIGTERM");

        await _runtime.StopAsync(plain, TimeSpan.FromSeconds(10), CancellationToken.None);
        await _runtime.StopAsync(stubborn, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.Equal((int?)143, (await _runtime.InspectAsync(plain, CancellationToken.None))!.ExitCode);
        Assert.Equal((int?)137, (await _runtime.InspectAsync(stubborn, CancellationToken.None))!.ExitCode);
    }

    [Fact]
    public async Task Exit_ReportsTheProcessExitCode()
    {
        var id = await RunAsync(Spec("exit 42"));

        var exited = await WaitForStateAsync(_runtime, id, ContainerRunState.Exited, "sh -c 'exit 42'");

        Assert.Equal((int?)42, exited.ExitCode);
        Assert.InRange(exited.FinishedAt!.Value, exited.StartedAt!.Value, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Remove_ARunningContainer_KillsAndForgetsIt_AndIsIdempotent()
    {
        var id = await RunAsync(Spec("sleep 30"));

        await _runtime.RemoveAsync(id, CancellationToken.None);
        await _runtime.RemoveAsync(id, CancellationToken.None);

        Assert.Null(await _runtime.InspectAsync(id, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_stateDir, id)));
        Assert.Empty(await _runtime.ListAsync(Labels, CancellationToken.None));
    }

    [Fact]
    public async Task ARestartedAgent_AdoptsARunningProcess_AndCollectsWhatItWroteMeanwhile()
    {
        var id = await RunAsync(Spec("echo before; while [ ! -e go ]; do sleep 0.05; done; echo meanwhile; sleep 30"));
        await WaitForLogAsync(_runtime, id, "before", "the first agent's process");
        var first = (await _runtime.InspectAsync(id, CancellationToken.None))!;

        // The agent stops; the process goes on and writes while no agent reads its output.
        _runtime.Dispose();
        await File.WriteAllTextAsync(Path.Combine(_stateDir, id, "work", "go"), "");
        _runtime = New();
        var adopted = await _runtime.InspectAsync(id, CancellationToken.None);
        await WaitForLogAsync(_runtime, id, "meanwhile", "output written while no agent ran");
        await _runtime.StopAsync(id, TimeSpan.FromSeconds(10), CancellationToken.None);
        var stopped = await _runtime.InspectAsync(id, CancellationToken.None);

        Assert.Equal([id], (await _runtime.ListAsync(Labels, CancellationToken.None)).Select(c => c.Id));
        Assert.Equal((ContainerRunState.Running, first.StartedAt), (adopted!.State, adopted.StartedAt));
        Assert.Equal(["before", "meanwhile"], (await ReadLogsAsync(_runtime, id, new LogOptions())).Select(l => l.Text));
        Assert.Equal((ContainerRunState.Exited, (int?)ProcessRuntime.UnknownExitCode), (stopped!.State, stopped.ExitCode));
        Assert.Contains("adopted", stopped.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARestartedAgent_FindsAProcessThatDiedMeanwhile_Exited()
    {
        var id = await RunAsync(Spec("echo up; sleep 30"));
        await WaitForLogAsync(_runtime, id, "up", "the first agent's process");
        _runtime.Dispose();

        var record = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_stateDir, id, "container.json"))).RootElement;
        var pid = record.GetProperty("Pid").GetInt32();
        var ticks = record.GetProperty("PidStartTicks").GetUInt64();
        Assert.True(HostProcess.SignalGroup(pid, HostProcess.SigKill));
        await Eventually.Until(() => Task.FromResult(HostProcess.IsAlive(pid, ticks)), alive => !alive, $"pid {pid} dying of SIGKILL", Wait);
        _runtime = New();
        var info = await _runtime.InspectAsync(id, CancellationToken.None);

        Assert.Equal((ContainerRunState.Exited, (int?)ProcessRuntime.UnknownExitCode), (info!.State, info.ExitCode));
        Assert.Equal("the process ended while no agent was running; its exit code is unknown", info.Error);
    }

    private static async Task<List<LogLine>> ReadLogsAsync(ProcessRuntime runtime, string id, LogOptions options)
    {
        var lines = new List<LogLine>();
        await foreach (var line in runtime.ReadLogsAsync(id, options, CancellationToken.None))
            lines.Add(line);
        return lines;
    }

    private static async Task<LogLine> WaitForLogAsync(ProcessRuntime runtime, string id, string text, string phase)
    {
        var lines = await Eventually.Until(() => ReadLogsAsync(runtime, id, new LogOptions()), ls => ls.Any(l => l.Text == text),
            $"{phase}: container {id} logging \"{text}\"", Wait);
        return lines.First(l => l.Text == text);
    }

    private static async Task<ContainerInfo> WaitForStateAsync(ProcessRuntime runtime, string id, ContainerRunState state, string phase) =>
        (await Eventually.Until(() => runtime.InspectAsync(id, CancellationToken.None), i => i?.State == state,
            $"{phase}: container {id} reaching {state}", Wait))!;
}
