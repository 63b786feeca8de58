using Granary.Client;
using Granary.Grains.Hosting;
using Granary.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Granary.Tests.Unit.Grains;

/// <summary>
/// One in-process silo with the dev-mode wiring (in-memory object store, memory grain storage and reminders),
/// shared by a test class. Each test uses its own namespace or names, so tests do not see each other's objects.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private InProcessTestCluster? _cluster;

    public GranaryClient Client { get; private set; } = null!;

    public IGrainFactory Grains => _cluster!.Client;

    /// <summary>The cluster client itself, for a node agent embedded in a test (its control plane).</summary>
    public IClusterClient ClusterClient => _cluster!.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorageAsDefault();
            silo.UseInMemoryReminderService();
            // A small history, so tests can reach the "expired" edge without writing 100,000 events.
            silo.Services.Configure<StoreOptions>(o => o.EventHistory = 200);
            silo.Services.Configure<Granary.Grains.Caching.WatchCacheOptions>(o => o.EventWindow = 100);
            silo.Services.AddGranaryInMemoryStore().AddGranaryWatchCache().AddGranaryEvents();
            silo.Services.Configure<Granary.Grains.Nodes.NodeLifecycleOptions>(ConfigureLifecycle);
        });
        builder.ConfigureClient(ConfigureClient);
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        await BuiltInNamespaces.EnsureAsync(_cluster.Client);
        await LocalPathStorageClass.EnsureAsync(_cluster.Client);
        Client = new GranaryClient(_cluster.Client);
    }

    /// <summary>
    /// Nodes made by tests have no agent: a grace period longer than any test keeps them Ready, so the lifecycle
    /// controller acts only in the tests written for it (<see cref="ShortLeaseClusterFixture"/>).
    /// </summary>
    protected virtual void ConfigureLifecycle(Granary.Grains.Nodes.NodeLifecycleOptions options) => options.GracePeriod = TimeSpan.FromHours(1);

    /// <summary>Client-side additions of a derived fixture (grain call filters).</summary>
    protected virtual void ConfigureClient(IClientBuilder client)
    {
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
            await _cluster.DisposeAsync();
    }
}

/// <summary>A cluster whose node lifecycle runs in seconds: 2 s grace, passes 200 ms apart, 1 s default tolerations.</summary>
public sealed class ShortLeaseClusterFixture : ClusterFixture
{
    protected override void ConfigureLifecycle(Granary.Grains.Nodes.NodeLifecycleOptions options)
    {
        options.GracePeriod = TimeSpan.FromSeconds(2);
        options.MonitorPeriod = TimeSpan.FromMilliseconds(200);
        options.DefaultNotReadyTolerationSeconds = 1;
        options.DefaultUnreachableTolerationSeconds = 1;
    }
}

/// <summary>Names unique to one test, so tests sharing a silo never collide.</summary>
public static class Unique
{
    private static int _next;

    public static string Name(string prefix) => $"{prefix}-{Interlocked.Increment(ref _next)}";
}
