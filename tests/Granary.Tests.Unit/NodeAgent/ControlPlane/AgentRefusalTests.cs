using Granary.Api;
using Granary.Model;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Hosting;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Pods.Sync;
using Granary.NodeAgent.Runtime.Simulated;
using Granary.Tests.Unit.Grains;
using Granary.Tests.Unit.NodeAgent.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Tests.Unit.NodeAgent.ControlPlane;

/// <summary>
/// An agent whose control plane answers Forbidden to some of its calls: no loop of the agent ends, the refusal is
/// logged once with what to fix, the rest carries on, and once allowed the agent catches up by itself.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes _logs.")]
public sealed class AgentRefusalTests(RefusingClusterFixture fixture) : IClassFixture<RefusingClusterFixture>, IAsyncLifetime
{
    private readonly string _node = Unique.Name("refused-node");
    private readonly string _stateDir = Directory.CreateTempSubdirectory("granary-refusal-").FullName;
    private readonly LogRecorder _logs = new();
    private ServiceProvider? _services;
    private readonly List<IHostedService> _started = [];

    private Granary.Client.GranaryClient Client => fixture.Client;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The agent as it is wired, with the loops that talk to the control plane running (no DNS, proxy, server or certificates).</summary>
    private async Task StartAgentAsync()
    {
        var services = new ServiceCollection().AddLogging(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        services.AddGranaryAgent(new AgentSettings { NodeName = _node, StateDir = _stateDir, LocalPathRoot = Path.Combine(_stateDir, "storage") },
            new SimulatedRuntime(TimeProvider.System), _ => new EmbeddedControlPlane(fixture.ClusterClient));
        _services = services.BuildServiceProvider();
        foreach (var loop in new IHostedService[]
                 {
                     _services.GetRequiredService<ControlPlaneLink>(),
                     // Containers wait for the first list of Services (their environment) unless it runs.
                     _services.GetRequiredService<Granary.NodeAgent.Networking.Services.ServiceCatalog>(),
                     _services.GetRequiredService<PodStatusReporter>(),
                     _services.GetRequiredService<PodSyncLoop>(),
                 })
        {
            await loop.StartAsync(CancellationToken.None);
            _started.Add(loop);
        }
    }

    private void AssertEveryLoopRuns()
    {
        foreach (var loop in _started.Cast<BackgroundService>())
            Assert.True(loop.ExecuteTask is { IsCompleted: false }, $"{loop.GetType().Name} ended: {loop.ExecuteTask?.Status} {loop.ExecuteTask?.Exception}");
    }

    private async Task<string> NamespaceAsync()
    {
        var ns = Unique.Name("refusal");
        await Client.Namespaces.CreateAsync(Objects.Namespace(ns));
        return ns;
    }

    private Pod PodOnNode(string ns, string name, params Volume[] volumes)
    {
        var pod = Objects.Pod(ns, name);
        return pod with { Spec = pod.Spec with { NodeName = _node, Volumes = volumes.Length == 0 ? null : [.. volumes] } };
    }

    private IReadOnlyList<LogRecorder.Entry> Refusals(string permission) =>
        [.. _logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains($"refuses node {_node} to {permission}", StringComparison.Ordinal))];

    private Task<Pod> RunningAsync(string ns, string name, string phase) =>
        Eventually.Until(() => Client.Pods.GetAsync(ns, name), p => p.Status?.Phase == "Running", phase);

    [Fact]
    public async Task VolumeClaimReadRefused_TheSyncLoopGoesOn_OtherPodsRun_AndTheRefusalIsLoggedOnce()
    {
        fixture.Refuse<IResourceGrain<PersistentVolumeClaim>>(nameof(IResourceGrain<PersistentVolumeClaim>.GetAsync));
        try
        {
            var ns = await NamespaceAsync();
            await Client.Pods.CreateAsync(PodOnNode(ns, "with-claim",
                new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "data" } }));
            await StartAgentAsync();

            await _logs.WaitForAsync(LogLevel.Warning, $"refuses node {_node} to get the PersistentVolumeClaims", "the claim read refused");
            // Passes go on after the refusal (the loop once died here): a pod created now runs and is reported.
            await Client.Pods.CreateAsync(PodOnNode(ns, "plain"));
            await RunningAsync(ns, "plain", "a pod without a claim running beside the refused one");
            await Eventually.Until(() => Task.FromResult(fixture.Refusals<IResourceGrain<PersistentVolumeClaim>>("GetAsync")), n => n >= 2,
                "the claim read asked again after its back-off");

            AssertEveryLoopRuns();
            Assert.Single(Refusals("get the PersistentVolumeClaims and PersistentVolumes of its pods"));
            Assert.NotEqual("Running", (await Client.Pods.GetAsync(ns, "with-claim")).Status?.Phase);
        }
        finally
        {
            fixture.Allow<IResourceGrain<PersistentVolumeClaim>>(nameof(IResourceGrain<PersistentVolumeClaim>.GetAsync));
        }
    }

    [Fact]
    public async Task StatusReportsRefused_AreKeptAndSentOnceAllowed_AndTheRefusalIsLoggedOnce()
    {
        fixture.Refuse<INodeGrain>(nameof(INodeGrain.ReportPodStatusesAsync));
        var ns = await NamespaceAsync();
        try
        {
            await Client.Pods.CreateAsync(PodOnNode(ns, "web"));
            await StartAgentAsync();

            await _logs.WaitForAsync(LogLevel.Warning, $"refuses node {_node} to update the status of the pods bound to it", "the status report refused");
            await Eventually.Until(() => Task.FromResult(fixture.Refusals<INodeGrain>(nameof(INodeGrain.ReportPodStatusesAsync))), n => n >= 2,
                "the status report asked again after its back-off");
            AssertEveryLoopRuns();
            Assert.Single(Refusals("update the status of the pods bound to it"));
            Assert.NotEqual("Running", (await Client.Pods.GetAsync(ns, "web")).Status?.Phase);
        }
        finally
        {
            fixture.Allow<INodeGrain>(nameof(INodeGrain.ReportPodStatusesAsync));
        }

        await RunningAsync(ns, "web", "the held status sent once allowed");
        await _logs.WaitForAsync(LogLevel.Information, $"allows node {_node} to update the status of the pods bound to it again", "the refusal lifted");
        AssertEveryLoopRuns();
    }

    [Fact]
    public async Task RegistrationRefused_TheLinkRetriesWithBackOff_AndRegistersOnceAllowed()
    {
        fixture.Refuse<INodeGrain>(nameof(INodeGrain.RegisterAsync));
        try
        {
            await StartAgentAsync();
            await _logs.WaitForAsync(LogLevel.Warning, $"refuses node {_node} to register and update its own Node", "the registration refused");
            await Eventually.Until(() => Task.FromResult(fixture.Refusals<INodeGrain>(nameof(INodeGrain.RegisterAsync))), n => n >= 2,
                "the registration asked again after its back-off");
            AssertEveryLoopRuns();
            Assert.Single(Refusals("register and update its own Node"));
            // A refusal is no lost control plane.
            Assert.DoesNotContain(_logs.Entries, e => e.Message.StartsWith("Lost the control plane", StringComparison.Ordinal));
        }
        finally
        {
            fixture.Allow<INodeGrain>(nameof(INodeGrain.RegisterAsync));
        }
        await Eventually.Until(() => Task.FromResult(_services!.GetRequiredService<ControlPlaneLink>().Connections), n => n >= 1, "the node registered once allowed");
        AssertEveryLoopRuns();
    }

    public async Task DisposeAsync()
    {
        foreach (var loop in Enumerable.Reverse(_started))
            await loop.StopAsync(CancellationToken.None);
        if (_services is not null)
        {
            // Pods' token volumes are tmpfs mounts when the tests run as root: unmounted with their pods' directories.
            _services.GetRequiredService<Granary.NodeAgent.Volumes.VolumeManager>().CollectGone(new HashSet<string>());
            await _services.DisposeAsync();
        }
        _logs.Dispose();
        Directory.Delete(_stateDir, recursive: true);
    }
}
