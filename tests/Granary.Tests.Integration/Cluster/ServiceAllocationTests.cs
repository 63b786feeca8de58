using Granary.Client;
using Granary.Errors;
using Granary.Model;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Cluster;

/// <summary>Service addresses held in Redis grain storage: they outlive the silo that allocated them.</summary>
public sealed class ServiceAllocationTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly string _clusterId = $"sa-{Guid.NewGuid():N}"[..12];

    private Task<GranaryClient> ConnectAsync() =>
        GranaryClient.ConnectAsync(LabPki.For(redis.Endpoint).Client(new GranaryClientOptions { Redis = redis.Endpoint, ClusterId = _clusterId, ConnectTimeout = TimeSpan.FromSeconds(60) }));

    private static Service NodePortService(string name, string? clusterIP = null, int? nodePort = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new ServiceSpec { Type = "NodePort", ClusterIP = clusterIP, Ports = [new ServicePort { Port = 80, NodePort = nodePort }] },
    };

    [Fact]
    public async Task AllocatedAddresses_SurviveARestartOfTheSilo_AndAreFreedByADelete()
    {
        Service first;
        var silo = await SiloProcess.StartAsync(redis.Endpoint, _clusterId);
        try
        {
            await using var client = await ConnectAsync();
            first = await client.Services.CreateAsync(NodePortService("first"));
        }
        finally
        {
            await silo.DisposeAsync();
        }

        silo = await SiloProcess.StartAsync(redis.Endpoint, _clusterId);
        try
        {
            await using var client = await ConnectAsync();
            var ip = first.Spec.ClusterIP!;
            var nodePort = first.Spec.Ports![0].NodePort!.Value;

            var ipTaken = await Assert.ThrowsAsync<InvalidException>(() => client.Services.CreateAsync(NodePortService("second", clusterIP: ip)));
            var portTaken = await Assert.ThrowsAsync<InvalidException>(() => client.Services.CreateAsync(NodePortService("second", nodePort: nodePort)));
            await client.Services.DeleteAsync("default", "first");
            var second = await client.Services.CreateAsync(NodePortService("second", clusterIP: ip, nodePort: nodePort));

            Assert.Contains("provided IP is already allocated", ipTaken.Message);
            Assert.Contains("provided port is already allocated", portTaken.Message);
            Assert.Equal((ip, nodePort), (second.Spec.ClusterIP, second.Spec.Ports![0].NodePort!.Value));
            var kubernetes = await client.Services.GetAsync("default", "kubernetes");
            Assert.Equal("10.43.0.1", kubernetes.Spec.ClusterIP);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }
}
