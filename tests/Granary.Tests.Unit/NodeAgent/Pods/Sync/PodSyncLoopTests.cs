using Granary.Client;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Hosting;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Pods.Sync;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Simulated;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Granary.Tests.Unit.NodeAgent.Pods.Sync.PodFixtures;

namespace Granary.Tests.Unit.NodeAgent.Pods.Sync;

/// <summary>The sync loop as the agent wires it, against an in-memory engine, with no control plane and a fake clock.</summary>
public sealed class PodSyncLoopTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(T0);
    private readonly UnpullableRuntime _runtime;
    private readonly ServiceProvider _services;
    // Its own state directory: the agent removes pod volume directories it does not know, and must never be pointed
    // at a real agent's (/var/lib/granary/agent by default).
    private readonly string _stateDir = Directory.CreateTempSubdirectory("granary-sync-").FullName;

    public PodSyncLoopTests()
    {
        _runtime = new UnpullableRuntime(new SimulatedRuntime(_time));
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(_time);
        services.AddGranaryAgent(new AgentSettings { NodeName = "node-1", OrphanGracePeriod = TimeSpan.FromSeconds(30), StateDir = _stateDir }, _runtime, _ => new Unreachable());
        _services = services.BuildServiceProvider();
    }

    private DesiredPods Desired => _services.GetRequiredService<DesiredPods>();
    private PodRecords Records => _services.GetRequiredService<PodRecords>();
    private PodSyncLoop Loop => _services.GetRequiredService<PodSyncLoop>();

    [Fact]
    public async Task PodGoes_ItsPullBackOffAndLastFailureGoWithIt()
    {
        var pod = PodOf("Always", Web(image: "127.0.0.1:5999/missing:1"));
        Desired.ReplaceAll([pod]);
        await Loop.SyncOnceAsync(CancellationToken.None); // first failure: retried at once
        _time.Advance(TimeSpan.FromSeconds(1));
        await Loop.SyncOnceAsync(CancellationToken.None); // second: 10 s of back-off
        _time.Advance(TimeSpan.FromSeconds(1));
        await Loop.SyncOnceAsync(CancellationToken.None);
        Assert.Equal(2, _runtime.Pulls);
        Assert.Equal("pull access denied for 127.0.0.1:5999/missing:1", Records.Find(Uid)!.Snapshot().PullFailures["web"].Message);

        Desired.ReplaceAll([]);
        await Loop.SyncOnceAsync(CancellationToken.None);
        Assert.Null(Records.Find(Uid));

        // Bound here again: nothing of the old back-off holds it up.
        Desired.ReplaceAll([pod]);
        await Loop.SyncOnceAsync(CancellationToken.None);
        Assert.Equal(3, _runtime.Pulls);
    }

    [Fact]
    public async Task PodDeletedWhileTheAgentWasAway_ItsContainerGoesOnTheFirstFullState()
    {
        _runtime.Pullable = true;
        Desired.ReplaceAll([PodOf("Always", Web())]);
        await Loop.SyncOnceAsync(CancellationToken.None);
        Assert.Single(await Containers());

        // Back after an outage: the full state read now lacks the pod (evicted, replaced elsewhere). It was known here,
        // not an orphan of unknown origin, so no grace period.
        _time.Advance(TimeSpan.FromSeconds(1));
        Desired.ReplaceAll([], readAt: _time.GetUtcNow());
        await Loop.SyncOnceAsync(CancellationToken.None);
        await Task.WhenAll(Orphans.Work());

        Assert.Empty(await Containers());
    }

    [Fact]
    public async Task ContainerNewerThanTheFullState_WaitsTheOrphanGrace()
    {
        _runtime.Pullable = true;
        var readAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(1));
        // Created from a notification after the full state was read, which therefore may simply not show its pod yet.
        Desired.ReplaceAll([PodOf("Always", Web())]);
        await Loop.SyncOnceAsync(CancellationToken.None);
        Desired.ReplaceAll([], readAt);

        await Loop.SyncOnceAsync(CancellationToken.None);
        Assert.Single(await Containers());

        _time.Advance(TimeSpan.FromSeconds(30));
        await Loop.SyncOnceAsync(CancellationToken.None);
        await Task.WhenAll(Orphans.Work());
        Assert.Empty(await Containers());
    }

    private OrphanCollector Orphans => _services.GetRequiredService<OrphanCollector>();

    private Task<IReadOnlyList<ContainerInfo>> Containers() => _runtime.ListAsync(new Dictionary<string, string>(), CancellationToken.None);

    [Fact]
    public async Task ShutdownDuringAKill_TheKillIsCancelledAndAwaited()
    {
        _runtime.Pullable = true;
        var pod = PodOf("Always", Web());
        Desired.ReplaceAll([pod]);
        await Loop.SyncOnceAsync(CancellationToken.None);
        // The spec changes: the running container is killed beside the loop, and its stop hangs.
        _runtime.HangStops = true;
        Desired.ReplaceAll([pod with { Spec = pod.Spec with { Containers = [Web() with { Command = ["sleep", "60"] }] } }]);
        await Loop.SyncOnceAsync(CancellationToken.None);
        var kill = Assert.Single(Records.Work());
        await _runtime.StopEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await Loop.StartAsync(CancellationToken.None);
        await Loop.StopAsync(CancellationToken.None);

        Assert.True(kill.IsCompletedSuccessfully, $"the kill should have ended when the agent stopped: {kill.Status} {Loop.ExecuteTask?.Status} {Loop.ExecuteTask?.Exception}");
        Assert.Empty(Records.Work());
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(_stateDir, recursive: true);
    }

    private sealed class Unreachable : IControlPlaneConnector
    {
        public string Describe() => "nowhere";
        public Task<GranaryClient> ConnectAsync(CancellationToken ct) => throw new InvalidOperationException("no control plane in this test");
    }

    /// <summary>The simulated engine, without images unless <see cref="Pullable"/>: every pull fails as a registry's would.</summary>
    private sealed class UnpullableRuntime(SimulatedRuntime inner) : IContainerRuntime
    {
        private int _pulls;
        public int Pulls => _pulls;
        public bool Pullable { get; set; }
        public bool HangStops { get; set; }
        public TaskCompletionSource StopEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => inner.Name;
        public bool IsolatesContainers => inner.IsolatesContainers;
        public Task<string> ImageUserAsync(string image, CancellationToken ct) => inner.ImageUserAsync(image, ct);
        public Task<string> VersionAsync(CancellationToken ct) => inner.VersionAsync(ct);
        public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct) => inner.ListAsync(labels, ct);
        public Task<ContainerInfo?> InspectAsync(string id, CancellationToken ct) => inner.InspectAsync(id, ct);
        public Task<bool> ImageExistsAsync(string image, CancellationToken ct) => Task.FromResult(Pullable);

        public Task PullImageAsync(string image, RegistryCredential? credential, CancellationToken ct)
        {
            Interlocked.Increment(ref _pulls);
            return Pullable ? Task.CompletedTask : throw new RuntimeException(RuntimeErrorKind.ImageNotFound, $"pull access denied for {image}");
        }

        public Task<string> CreateAsync(ContainerSpec spec, CancellationToken ct) => inner.CreateAsync(spec, ct);
        public Task StartAsync(string id, CancellationToken ct) => inner.StartAsync(id, ct);

        public async Task StopAsync(string id, TimeSpan grace, CancellationToken ct)
        {
            if (!HangStops)
            {
                await inner.StopAsync(id, grace, ct);
                return;
            }
            StopEntered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        }

        public Task RemoveAsync(string id, CancellationToken ct) => inner.RemoveAsync(id, ct);
        public Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> command, ReadOnlyMemory<byte> stdin, TimeSpan timeout, CancellationToken ct) =>
            inner.ExecAsync(id, command, stdin, timeout, ct);
        public Task<IStreamSession> ExecStreamAsync(string id, IReadOnlyList<string> command, StreamRequest request, CancellationToken ct) =>
            inner.ExecStreamAsync(id, command, request, ct);
        public Task<IStreamSession> AttachAsync(string id, StreamRequest request, CancellationToken ct) => inner.AttachAsync(id, request, ct);
        public IAsyncEnumerable<LogLine> ReadLogsAsync(string id, LogOptions options, CancellationToken ct) => inner.ReadLogsAsync(id, options, ct);
    }
}
