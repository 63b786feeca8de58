using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Simulated;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Runtime;

/// <summary>The simulated driver keeps the runtime contract, deterministically, with no processes at all.</summary>
public sealed class SimulatedRuntimeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(T0);
    private readonly SimulatedRuntime _runtime;

    public SimulatedRuntimeTests() => _runtime = new SimulatedRuntime(_time);

    private static readonly Dictionary<string, string> PodA = new() { [ContainerLabels.PodUid] = "a" };

    private static ContainerSpec Spec(string name, Dictionary<string, string>? labels = null) => new()
    {
        Name = name,
        Image = "local/busybox:1",
        Command = ["sleep", "infinity"],
        Labels = labels ?? PodA,
    };

    [Fact]
    public async Task CreateAndStart_RunsAtOnce_WithCountedIdsAndTheClocksTimes()
    {
        var id = await _runtime.CreateAsync(Spec("one"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _runtime.StartAsync(id, CancellationToken.None);
        await _runtime.StartAsync(id, CancellationToken.None);

        var info = await _runtime.InspectAsync(id, CancellationToken.None);

        Assert.Equal("sim-00000001", id);
        Assert.Equal(
            (ContainerRunState.Running, "one", "local/busybox:1", (int?)null, (DateTimeOffset?)T0, (DateTimeOffset?)T0.AddSeconds(1)),
            (info!.State, info.Name, info.Image, info.ExitCode, info.CreatedAt, info.StartedAt));
        Assert.Equal("simulated://1.0", await _runtime.VersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task List_FiltersByEveryLabel()
    {
        var a = await _runtime.CreateAsync(Spec("a"), CancellationToken.None);
        await _runtime.CreateAsync(Spec("b", new() { [ContainerLabels.PodUid] = "b" }), CancellationToken.None);

        Assert.Equal([a], (await _runtime.ListAsync(PodA, CancellationToken.None)).Select(c => c.Id));
        Assert.Equal(2, (await _runtime.ListAsync(new Dictionary<string, string>(), CancellationToken.None)).Count);
        Assert.Empty(await _runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.PodUid] = "c" }, CancellationToken.None));
    }

    [Fact]
    public async Task Create_WithANameInUse_IsAConflict()
    {
        await _runtime.CreateAsync(Spec("same"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.CreateAsync(Spec("same"), CancellationToken.None));

        Assert.Equal(RuntimeErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public async Task Stop_ExitsWithZero_AndIsIdempotent_AndRemoveForgets()
    {
        var id = await _runtime.CreateAsync(Spec("one"), CancellationToken.None);
        await _runtime.StartAsync(id, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));

        await _runtime.StopAsync(id, TimeSpan.FromSeconds(30), CancellationToken.None);
        await _runtime.StopAsync(id, TimeSpan.FromSeconds(30), CancellationToken.None);
        await _runtime.StopAsync("sim-99999999", TimeSpan.FromSeconds(30), CancellationToken.None);
        var stopped = await _runtime.InspectAsync(id, CancellationToken.None);
        await _runtime.RemoveAsync(id, CancellationToken.None);
        await _runtime.RemoveAsync(id, CancellationToken.None);

        Assert.Equal((ContainerRunState.Exited, (int?)0, (DateTimeOffset?)T0.AddSeconds(5)), (stopped!.State, stopped.ExitCode, stopped.FinishedAt));
        Assert.Null(await _runtime.InspectAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Exec_SucceedsWhileRunning_ConflictsWhenNot_AndIsNotFoundForAMissingContainer()
    {
        var id = await _runtime.CreateAsync(Spec("one"), CancellationToken.None);

        var created = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.ExecAsync(id, ["true"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(1), CancellationToken.None));
        await _runtime.StartAsync(id, CancellationToken.None);
        var result = await _runtime.ExecAsync(id, ["true"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(1), CancellationToken.None);
        var missing = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.ExecAsync("nope", ["true"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal(new ExecResult(0, "", ""), result);
        Assert.Equal((RuntimeErrorKind.Conflict, RuntimeErrorKind.NotFound), (created.Kind, missing.Kind));
    }

    [Fact]
    public async Task Logs_AreOneStartLine_FilteredByTailAndSince()
    {
        var id = await _runtime.CreateAsync(Spec("one"), CancellationToken.None);
        await _runtime.StartAsync(id, CancellationToken.None);

        Assert.Equal([new LogLine(T0, LogStream.Stdout, "simulated container one started")], await ReadAsync(id, new LogOptions()));
        Assert.Empty(await ReadAsync(id, new LogOptions { Tail = 0 }));
        Assert.Empty(await ReadAsync(id, new LogOptions { Since = T0.AddTicks(1) }));
    }

    [Fact]
    public async Task Logs_Follow_EndsWhenTheContainerStops()
    {
        var id = await _runtime.CreateAsync(Spec("one"), CancellationToken.None);
        await _runtime.StartAsync(id, CancellationToken.None);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new List<string>();

        var reading = Task.Run(async () =>
        {
            await foreach (var line in _runtime.ReadLogsAsync(id, new LogOptions { Follow = true }, CancellationToken.None))
            {
                lines.Add(line.Text);
                first.TrySetResult();
            }
        });
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await _runtime.StopAsync(id, TimeSpan.Zero, CancellationToken.None);
        await reading.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["simulated container one started"], lines);
    }

    [Fact]
    public async Task Logs_OfAMissingContainer_AreNotFound()
    {
        var error = await Assert.ThrowsAsync<RuntimeException>(() => ReadAsync("nope", new LogOptions()));

        Assert.Equal(RuntimeErrorKind.NotFound, error.Kind);
    }

    private async Task<List<LogLine>> ReadAsync(string id, LogOptions options)
    {
        var lines = new List<LogLine>();
        await foreach (var line in _runtime.ReadLogsAsync(id, options, CancellationToken.None))
            lines.Add(line);
        return lines;
    }
}
