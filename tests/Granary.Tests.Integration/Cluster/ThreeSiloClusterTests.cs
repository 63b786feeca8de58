using Granary.Api;
using Granary.Client;
using Granary.Model;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Cluster;

/// <summary>Three real silo processes on one real redis-server, and the SDK as an outside client.</summary>
public sealed class ThreeSiloClusterTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly string _clusterId = $"it-{Guid.NewGuid():N}"[..12];

    private Task<SiloProcess[]> StartSilosAsync() =>
        Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SiloProcess.StartAsync(redis.Endpoint, _clusterId, SiloProcess.AgentlessNodes)));

    private Task<GranaryClient> ConnectAsync() =>
        GranaryClient.ConnectAsync(LabPki.For(redis.Endpoint).Client(new GranaryClientOptions { Redis = redis.Endpoint, ClusterId = _clusterId, ConnectTimeout = TimeSpan.FromSeconds(60) }));

    [Fact]
    public async Task ThreeSilos_FormOneCluster_AndAfterRestartingAllEveryObjectKeepsUidAndVersion()
    {
        var silos = await StartSilosAsync();
        Dictionary<string, (string? Uid, string? Version)> before;
        try
        {
            await using var client = await ConnectAsync();
            var status = await client.GetClusterStatusAsync();
            Assert.Equal(3, status.Silos.Length);
            Assert.All(status.Silos, s => Assert.Equal("Active", s.Status));
            Assert.Equal(silos.Select(s => $"127.0.0.1:{s.SiloPort}").Order(), status.Silos.Select(s => s.Address).Order());

            await client.Namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = "team" } });
            await client.Nodes.CreateAsync(TestObjects.Node("n1", cpu: "4"));
            for (var i = 0; i < 10; i++)
                await client.Pods.CreateAsync(TestObjects.Pod("team", $"p{i}", cpu: "100m"));
            await TestObjects.WaitAllBoundAsync(client, "team", 10);

            before = await SnapshotAsync(client);
            // pods, the node, three namespaces, the kubernetes service with its Endpoints and EndpointSlice, each
            // namespace's default ServiceAccount, the default local-path StorageClass and the default RBAC policy
            var policy = Granary.Grains.Security.Rbac.BootstrapPolicy.ClusterRoles.Length + Granary.Grains.Security.Rbac.BootstrapPolicy.ClusterRoleBindings.Length;
            Assert.Equal(10 + 1 + 3 + 3 + 3 + 1 + policy, before.Count(p => !IsRootCa(p.Key)));
        }
        finally
        {
            await Task.WhenAll(silos.Select(s => s.StopAsync()));
        }

        silos = await StartSilosAsync();
        try
        {
            await using var client = await ConnectAsync();
            var after = await SnapshotAsync(client);
            // The kubernetes service's endpoints name the silos' API addresses, and these silos listen on new ports:
            // those two objects change by design. Every other object must be exactly as before.
            Assert.Equal(before.Keys.Where(k => !IsRootCa(k)).Order(), after.Keys.Where(k => !IsRootCa(k)).Order());
            Assert.Equal(before.Where(p => !SiloMaintained(p.Key)).OrderBy(p => p.Key), after.Where(p => !SiloMaintained(p.Key)).OrderBy(p => p.Key));
            Assert.All((await client.Pods.ListAsync(new ListOptions { Namespace = "team" })).Items, p => Assert.Equal("n1", p.Spec.NodeName));
        }
        finally
        {
            await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Watch_ThroughAnySilo_DeliversEveryWriteOfEverySiloOnceInOrder()
    {
        var silos = await StartSilosAsync();
        try
        {
            await using var writer = await GranaryClient.ConnectAsync(LabPki.For(redis.Endpoint).Client(new GranaryClientOptions { Gateways = [silos[0].Gateway], ClusterId = _clusterId }));
            await using var watcher = await GranaryClient.ConnectAsync(LabPki.For(redis.Endpoint).Client(new GranaryClientOptions { Gateways = [silos[2].Gateway], ClusterId = _clusterId }));
            var start = await watcher.Pods.ListAsync(new ListOptions { Namespace = "default" });

            for (var i = 0; i < 50; i++)
                await writer.Pods.CreateAsync(TestObjects.Pod("default", $"w{i}", schedulerName: TestObjects.NotScheduled));
            for (var i = 0; i < 50; i += 2)
                await writer.Pods.DeleteAsync("default", $"w{i}");

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var events = new List<WatchEvent<Pod>>();
            await foreach (var e in watcher.Pods.WatchAsync(new WatchOptions { Namespace = "default", ResourceVersion = start.ResourceVersion }, cts.Token))
            {
                events.Add(e);
                if (events.Count == 75)
                    break;
            }

            var expected = Enumerable.Range(0, 50).Select(i => (WatchEventType.Added, $"w{i}"))
                .Concat(Enumerable.Range(0, 25).Select(i => (WatchEventType.Deleted, $"w{i * 2}")));
            Assert.Equal(expected, events.Select(e => (e.Type, e.Object.Metadata.Name!)));
            var versions = events.Select(e => long.Parse(e.Object.Metadata.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(versions.Order().Distinct(), versions);
        }
        finally
        {
            await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    private static bool SiloMaintained(string key) => key is "endpoints/default/kubernetes" or "endpointslices/default/kubernetes" || IsRootCa(key);

    /// <summary>Each namespace's kube-root-ca.crt: published in the background at every start, with the starting silo's API CA.</summary>
    private static bool IsRootCa(string key) => key.StartsWith("configmaps/", StringComparison.Ordinal) && key.EndsWith("/kube-root-ca.crt", StringComparison.Ordinal);

    private static async Task<Dictionary<string, (string? Uid, string? Version)>> SnapshotAsync(GranaryClient client)
    {
        var result = new Dictionary<string, (string?, string?)>();
        // Events are recorded in the background (a pod's Scheduled event may land after the snapshot) and counted up
        // in place, so they are no fixed set to compare; every other kind must come back exactly.
        foreach (var kind in ResourceKinds.All.Where(k => k != ResourceKinds.Event))
        {
            var list = await client.For(kind).ListAsync(new ListOptions());
            foreach (var item in list.Items)
                result[$"{kind.Plural}/{item.Metadata.Namespace}/{item.Metadata.Name}"] = (item.Metadata.Uid, item.Metadata.ResourceVersion);
        }
        return result;
    }
}
