using System.Net.Sockets;
using System.Text;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;
using Granary.Tests.Integration.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Integration.Runtime;

/// <summary>The docker driver against a real, private dockerd: the whole runtime contract, observed from the engine.</summary>
public sealed class DockerRuntimeTests(Dockerd dockerd) : IClassFixture<Dockerd>, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly DockerRuntime _runtime = new(dockerd.Endpoint, NullLogger.Instance);

    // Each test owns its containers through a pod uid of its own, so tests never see each other's.
    private readonly string _uid = Guid.NewGuid().ToString("N");

    public void Dispose() => _runtime.Dispose();

    private Dictionary<string, string> Labels => new()
    {
        [ContainerLabels.ManagedBy] = ContainerLabels.ManagedByValue,
        [ContainerLabels.PodUid] = _uid,
    };

    private ContainerSpec Spec(string script) => new()
    {
        Name = $"t-{_uid[..8]}-{Guid.NewGuid().ToString("N")[..6]}",
        Image = dockerd.Image,
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
        var before = DateTimeOffset.UtcNow;
        var spec = Spec("echo \"$GREETING from $(pwd) on $(hostname)\"; sleep 30") with
        {
            Env = new Dictionary<string, string> { ["GREETING"] = "hello" },
            WorkingDir = "/tmp",
            Hostname = "pod-a",
        };

        var id = await _runtime.CreateAsync(spec, CancellationToken.None);
        var created = await _runtime.InspectAsync(id, CancellationToken.None);
        await _runtime.StartAsync(id, CancellationToken.None);
        var running = await _runtime.InspectAsync(id, CancellationToken.None);
        var line = await WaitForLogAsync(id, "hello from /tmp on pod-a", "first line of a started container");

        Assert.Equal(ContainerRunState.Created, created!.State);
        Assert.Null(created.StartedAt);
        Assert.Equal(ContainerRunState.Running, running!.State);
        Assert.Equal((spec.Name, dockerd.Image, (int?)null, false), (running.Name, running.Image, running.ExitCode, running.OomKilled));
        Assert.Equal(Labels.OrderBy(l => l.Key), running.Labels.Where(l => l.Key.StartsWith("io.granary.", StringComparison.Ordinal)).OrderBy(l => l.Key));
        // dockerd records StartedAt once the start call returns, which can be after the first line: both lie in the test's window.
        Assert.InRange(running.StartedAt!.Value, before, DateTimeOffset.UtcNow);
        Assert.InRange(line.Timestamp, before, DateTimeOffset.UtcNow);
        Assert.Equal([id], (await _runtime.ListAsync(Labels, CancellationToken.None)).Select(c => c.Id));
        Assert.Empty(await _runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.PodUid] = "someone-else" }, CancellationToken.None));
    }

    [Fact]
    public async Task Version_NamesTheEngine_AndTheFirstCallPinsTheApiVersion()
    {
        Assert.Null(_runtime.ApiVersion);
        Assert.StartsWith("docker://20.10.", await _runtime.VersionAsync(CancellationToken.None), StringComparison.Ordinal);
        Assert.Equal(new Version(1, 41), _runtime.ApiVersion);
    }

    [Fact]
    public async Task Follow_ContainerStoppedByAnotherClient_IsReported_AndListsNoLongerShowItRunning()
    {
        using var stop = new CancellationTokenSource();
        var changes = 0;
        var following = _runtime.FollowAsync(Labels, () => Interlocked.Increment(ref changes), stop.Token);
        var id = await RunAsync(Spec("trap \"exit 3\" TERM; while true; do sleep 1; done"));
        // Listed twice while followed: the second list may answer from what the first inspected.
        Assert.Equal(ContainerRunState.Running, Assert.Single(await _runtime.ListAsync(Labels, CancellationToken.None)).State);
        Assert.Equal(ContainerRunState.Running, Assert.Single(await _runtime.ListAsync(Labels, CancellationToken.None)).State);
        var before = Volatile.Read(ref changes);

        // Another client of the engine, as `docker stop` by hand would be.
        using (var outside = new DockerRuntime(dockerd.Endpoint, NullLogger.Instance))
            await outside.StopAsync(id, TimeSpan.FromSeconds(10), CancellationToken.None);

        await Waiting.UntilAsync(() => Volatile.Read(ref changes) > before, Wait, "waiting for the events stream to report the container's exit",
            () => $"{Volatile.Read(ref changes)} changes reported");
        var listed = Assert.Single(await _runtime.ListAsync(Labels, CancellationToken.None));
        Assert.Equal((ContainerRunState.Exited, (int?)3), (listed.State, listed.ExitCode));
        await stop.CancelAsync();
        await following.WaitAsync(Wait);
    }

    [Fact]
    public async Task Create_WithANameInUse_IsAConflict()
    {
        var spec = Spec("sleep 30");
        await _runtime.CreateAsync(spec, CancellationToken.None);

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.CreateAsync(spec, CancellationToken.None));

        Assert.Equal(RuntimeErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public async Task Logs_KeepStdoutAndStderrApart_AndHonourTailAndSince()
    {
        var id = await RunAsync(Spec("echo a; echo oops >&2; sleep 0.2; echo b; echo c"));
        await WaitForStateAsync(id, ContainerRunState.Exited, "a container that prints and exits");

        var all = await ReadLogsAsync(id, new LogOptions());
        var b = all.Single(l => l.Text == "b");
        var tail = await ReadLogsAsync(id, new LogOptions { Tail = 2 });
        var since = await ReadLogsAsync(id, new LogOptions { Since = b.Timestamp });

        Assert.Equal(["a", "b", "c"], all.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Text));
        Assert.Equal(["oops"], all.Where(l => l.Stream == LogStream.Stderr).Select(l => l.Text));
        Assert.Equal(all.Select(l => l.Timestamp).Where((_, i) => all[i].Stream == LogStream.Stdout).Order(),
            all.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Timestamp));
        Assert.Equal(["b", "c"], tail.Select(l => l.Text));
        Assert.Equal(["b", "c"], since.Select(l => l.Text));
    }

    [Fact]
    public async Task Logs_LastLineWithoutNewline_IsFlushedAtTheEnd()
    {
        var id = await RunAsync(Spec("echo whole; printf partial"));
        await WaitForStateAsync(id, ContainerRunState.Exited, "a container whose last line has no newline");

        var lines = await ReadLogsAsync(id, new LogOptions());

        Assert.Equal(["whole", "partial"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task Logs_Follow_ReceivesALineWrittenLater_AndEndsCleanlyOnCancel()
    {
        var id = await RunAsync(Spec("echo first; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo second; sleep 30"));
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
        Assert.Equal(0, (await _runtime.ExecAsync(id, ["touch", "/tmp/go"], ReadOnlyMemory<byte>.Empty, Wait, CancellationToken.None)).ExitCode);
        await second.Task.WaitAsync(Wait);
        await follow.CancelAsync();
        await reader.WaitAsync(Wait); // ends without an exception

        Assert.Equal(["first", "second"], received);
    }

    [Fact]
    public async Task Exec_ReturnsTheExitCodeAndEachStreamsOutput()
    {
        var id = await RunAsync(Spec("sleep 30"));

        var result = await _runtime.ExecAsync(id, ["sh", "-c", "echo out; echo err >&2; exit 7"], ReadOnlyMemory<byte>.Empty, Wait, CancellationToken.None);

        Assert.Equal(new ExecResult(7, "out\n", "err\n"), result);
    }

    [Fact]
    public async Task Exec_WithStdin_TheCommandReadsItThenItsEnd()
    {
        var id = await RunAsync(Spec("sleep 30"));

        var result = await _runtime.ExecAsync(id, ["sh", "-c", "cat; echo done >&2"], Encoding.UTF8.GetBytes("from stdin\n"), Wait, CancellationToken.None);

        Assert.Equal(new ExecResult(0, "from stdin\n", "done\n"), result);
    }

    [Fact]
    public async Task Exec_PastItsTimeout_FailsWithTimeout()
    {
        var id = await RunAsync(Spec("sleep 30"));

        var error = await Assert.ThrowsAsync<RuntimeException>(() =>
            _runtime.ExecAsync(id, ["sleep", "10"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.Equal(RuntimeErrorKind.Timeout, error.Kind);
    }

    [Fact]
    public async Task Exec_InAStoppedContainer_IsAConflict()
    {
        var id = await RunAsync(Spec("exit 0"));
        await WaitForStateAsync(id, ContainerRunState.Exited, "a container that exits at once");

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.ExecAsync(id, ["true"], ReadOnlyMemory<byte>.Empty, Wait, CancellationToken.None));

        Assert.Equal(RuntimeErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public async Task Stop_SendsSigtermFirst_SoATrapDecidesTheExitCode_AndStoppingAgainIsFine()
    {
        var id = await RunAsync(Spec("trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.1; done"));
        await WaitForLogAsync(id, "ready", "a container that traps SIGTERM");

        await _runtime.StopAsync(id, TimeSpan.FromSeconds(10), CancellationToken.None);
        var stopped = await _runtime.InspectAsync(id, CancellationToken.None);
        await _runtime.StopAsync(id, TimeSpan.FromSeconds(10), CancellationToken.None);
        await _runtime.StopAsync("no-such-container", TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal((ContainerRunState.Exited, (int?)3, false), (stopped!.State, stopped.ExitCode, stopped.OomKilled));
        Assert.Contains("got TERM", (await ReadLogsAsync(id, new LogOptions())).Select(l => l.Text));
    }

    [Fact]
    public async Task Exit_ReportsTheProcessExitCode()
    {
        var before = DateTimeOffset.UtcNow;
        var id = await RunAsync(Spec("exit 42"));

        var exited = await WaitForStateAsync(id, ContainerRunState.Exited, "sh -c 'exit 42'");

        Assert.Equal(((int?)42, false), (exited.ExitCode, exited.OomKilled));
        // FinishedAt is the exit as containerd saw it, StartedAt when dockerd noted the start: a fast exit can come "first".
        Assert.InRange(exited.StartedAt!.Value, before, DateTimeOffset.UtcNow);
        Assert.InRange(exited.FinishedAt!.Value, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task MemoryLimit_Exceeded_IsOomKilledWith137()
    {
        // dd fills a 64 MiB buffer from /dev/zero, four times the limit (no swap: the limit is the limit).
        var id = await RunAsync(Spec("dd if=/dev/zero of=/dev/null bs=64M count=1") with { MemoryLimitBytes = 16L << 20 });

        var exited = await WaitForStateAsync(id, ContainerRunState.Exited, "a container allocating past its memory limit");
        // The engine may record the exit a moment before the kernel's OOM notice reaches it: the flag follows.
        var deadline = DateTime.UtcNow + Wait;
        while (!exited.OomKilled && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            exited = await _runtime.InspectAsync(id, CancellationToken.None) ?? exited;
        }

        Assert.Equal(((int?)137, true), (exited.ExitCode, exited.OomKilled));
    }

    [Fact]
    public async Task MissingImage_DoesNotExist_AndPullingFromAnUnreachableRegistryFailsAsImageNotFound()
    {
        // A registry on a closed loopback port: the engine fails at once and never reaches for Docker Hub.
        const string missing = "127.0.0.1:1/nothing:1";

        var pull = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.PullImageAsync(missing, null, CancellationToken.None));
        var create = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.CreateAsync(Spec("true") with { Image = missing }, CancellationToken.None));

        Assert.True(await _runtime.ImageExistsAsync(dockerd.Image, CancellationToken.None));
        Assert.False(await _runtime.ImageExistsAsync(missing, CancellationToken.None));
        Assert.Equal(RuntimeErrorKind.ImageNotFound, pull.Kind);
        Assert.Contains("connection refused", pull.Message, StringComparison.Ordinal);
        Assert.Equal(RuntimeErrorKind.ImageNotFound, create.Kind);
    }

    [Fact]
    public async Task Remove_ARunningContainer_RemovesIt_AndIsIdempotent()
    {
        var id = await RunAsync(Spec("sleep 30"));

        await _runtime.RemoveAsync(id, CancellationToken.None);
        await _runtime.RemoveAsync(id, CancellationToken.None);

        var logs = await Assert.ThrowsAsync<RuntimeException>(() => ReadLogsAsync(id, new LogOptions()));
        var start = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.StartAsync(id, CancellationToken.None));

        Assert.Null(await _runtime.InspectAsync(id, CancellationToken.None));
        Assert.Empty(await _runtime.ListAsync(Labels, CancellationToken.None));
        Assert.Equal((RuntimeErrorKind.NotFound, RuntimeErrorKind.NotFound), (logs.Kind, start.Kind));
    }

    [Fact]
    public async Task AnEndpointWithNoEngine_IsUnavailable_WithAMessageSayingWhatToDo()
    {
        var endpoint = new Uri($"unix:///tmp/gd-none-{_uid[..8]}/d.sock");
        using var runtime = new DockerRuntime(endpoint, NullLogger.Instance);

        var version = await Assert.ThrowsAsync<RuntimeException>(() => runtime.VersionAsync(CancellationToken.None));
        var list = await Assert.ThrowsAsync<RuntimeException>(() => runtime.ListAsync(Labels, CancellationToken.None));

        Assert.Equal((RuntimeErrorKind.Unavailable, RuntimeErrorKind.Unavailable), (version.Kind, list.Kind));
        Assert.Contains(endpoint.ToString(), version.Message, StringComparison.Ordinal);
        Assert.Contains("is dockerd running? start it or set --docker-host", version.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEngineThatNeverAnswers_TimesOut()
    {
        // A socket that accepts connections and then says nothing: a wedged engine.
        var path = $"/tmp/gd-mute-{_uid[..8]}.sock";
        using var mute = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        mute.Bind(new UnixDomainSocketEndPoint(path));
        mute.Listen();
        try
        {
            using var runtime = new DockerRuntime(new Uri("unix://" + path), NullLogger.Instance, callTimeout: TimeSpan.FromMilliseconds(300));

            var error = await Assert.ThrowsAsync<RuntimeException>(() => runtime.VersionAsync(CancellationToken.None));

            Assert.Equal(RuntimeErrorKind.Timeout, error.Kind);
            Assert.Contains("did not answer within 0.3s", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task<List<LogLine>> ReadLogsAsync(string id, LogOptions options)
    {
        var lines = new List<LogLine>();
        await foreach (var line in _runtime.ReadLogsAsync(id, options, CancellationToken.None))
            lines.Add(line);
        return lines;
    }

    private async Task<LogLine> WaitForLogAsync(string id, string text, string phase)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var lines = await ReadLogsAsync(id, new LogOptions());
            if (lines.FirstOrDefault(l => l.Text == text) is { } line)
                return line;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{phase}: container {id} never logged \"{text}\"; it logged [{string.Join(" | ", lines.Select(l => l.Text))}]");
            await Task.Delay(20);
        }
    }

    private async Task<ContainerInfo> WaitForStateAsync(string id, ContainerRunState state, string phase)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var info = await _runtime.InspectAsync(id, CancellationToken.None)
                ?? throw new InvalidOperationException($"{phase}: container {id} disappeared while waiting for {state}");
            if (info.State == state)
                return info;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{phase}: container {id} never reached {state}; last seen {info}");
            await Task.Delay(20);
        }
    }
}
