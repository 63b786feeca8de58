using System.Diagnostics.CodeAnalysis;
using System.Collections.Immutable;
using Granary.Client;
using Granary.Model;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Networking.Services;
using Granary.Tests.Unit.Grains;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.NodeAgent.Networking.Services;

/// <summary>The catalog against an in-process silo: Services listed and watched, slices of used Services followed.</summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes _catalog.")]
public sealed class ServiceCatalogTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>, IAsyncLifetime
{
    private readonly string _ns = Unique.Name("catalog");
    private readonly ServiceCatalog _catalog = new(new Connected(fixture.Client), new EndpointInterest(TimeProvider.System, TimeSpan.FromMinutes(10)),
        TimeProvider.System, NullLogger<ServiceCatalog>.Instance);

    private GranaryClient Client => fixture.Client;

    public async Task InitializeAsync()
    {
        await Client.Namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = _ns } });
        await _catalog.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _catalog.StopAsync(CancellationToken.None);
        _catalog.Dispose();
    }

    private Service Selectorless(string name, string? ns = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns ?? _ns },
        Spec = new ServiceSpec { Ports = [new ServicePort { Name = "http", Port = 80 }] },
    };

    private EndpointSlice Slice(string service, string name, string address, string? ns = null) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = ns ?? _ns,
            Labels = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { [EndpointSlice.ServiceNameLabel] = service }),
        },
        Endpoints = [new SliceEndpoint { Addresses = [address], Conditions = new EndpointConditions { Ready = true } }],
        Ports = [new SlicePort { Name = "http", Port = 8080, Protocol = "TCP" }],
    };

    private static string[] Addresses(ServiceEndpoints endpoints) =>
        [.. endpoints.All().SelectMany(e => e.Endpoint.Addresses).Order(StringComparer.Ordinal)];

    private Task<ServiceEndpoints> EndpointsUntil(ServiceKey key, string[] addresses, string phase) =>
        Eventually.Until(async () => await _catalog.GetEndpointsAsync(key, CancellationToken.None), e => Addresses(e).SequenceEqual(addresses), phase);

    [Fact]
    public async Task Services_are_listed_then_followed_through_their_watch()
    {
        await Client.Services.CreateAsync(Selectorless("web"));
        var key = new ServiceKey(_ns, "web");

        await Eventually.Until(() => Task.FromResult(_catalog.Services), t => t.Synced && t.Find(key) is not null, "the service seen");
        await Client.Services.DeleteAsync(_ns, "web");
        await Eventually.Until(() => Task.FromResult(_catalog.Services), t => t.Find(key) is null, "the deletion seen");
    }

    [Fact]
    public async Task The_slices_of_a_used_service_are_read_at_once_then_followed_and_other_namespaces_do_not_leak_in()
    {
        var other = Unique.Name("catalog-other");
        await Client.Namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = other } });
        await Client.Services.CreateAsync(Selectorless("api"));
        await Client.EndpointSlices.CreateAsync(Slice("api", "api-1", "127.1.2.3"));
        await Client.EndpointSlices.CreateAsync(Slice("api", "api-x", "127.1.9.9", other));
        var key = new ServiceKey(_ns, "api");
        var changes = new List<ServiceEndpoints>();
        _catalog.EndpointsChanged += e => { if (e.Service == key) lock (changes) changes.Add(e); };

        Assert.Equal(["127.1.2.3"], Addresses(await _catalog.GetEndpointsAsync(key, CancellationToken.None)));

        await Client.EndpointSlices.CreateAsync(Slice("api", "api-2", "127.1.2.4"));
        await EndpointsUntil(key, ["127.1.2.3", "127.1.2.4"], "a second slice followed");
        lock (changes)
            Assert.Contains(changes, c => Addresses(c).SequenceEqual(["127.1.2.3", "127.1.2.4"]));

        // A second Service joins the followed set; the first stays followed through the new watch.
        await Client.Services.CreateAsync(Selectorless("db"));
        await Client.EndpointSlices.CreateAsync(Slice("db", "db-1", "127.1.3.1"));
        Assert.Equal(["127.1.3.1"], Addresses(await _catalog.GetEndpointsAsync(new ServiceKey(_ns, "db"), CancellationToken.None)));
        await Client.EndpointSlices.DeleteAsync(_ns, "api-1");
        await EndpointsUntil(key, ["127.1.2.4"], "a deleted slice followed after the set changed");
        await Client.EndpointSlices.CreateAsync(Slice("api", "api-y", "127.1.9.8", other));
        await Client.EndpointSlices.CreateAsync(Slice("api", "api-3", "127.1.2.5"));
        await EndpointsUntil(key, ["127.1.2.4", "127.1.2.5"], "only the service's own namespace");
    }

    [Fact]
    public async Task Endpoints_unknown_while_disconnected_are_a_clear_error()
    {
        using var offline = new ServiceCatalog(new Disconnected(), new EndpointInterest(TimeProvider.System, TimeSpan.FromMinutes(10)),
            TimeProvider.System, NullLogger<ServiceCatalog>.Instance);

        var error = await Assert.ThrowsAsync<ServiceCatalogUnavailableException>(() => offline.GetEndpointsAsync(new ServiceKey(_ns, "web"), CancellationToken.None).AsTask());
        Assert.Contains("not connected", error.Message, StringComparison.Ordinal);
        Assert.False((await offline.ServicesForEnvironmentAsync(CancellationToken.None)).Synced);
    }

    private sealed class Connected(GranaryClient client) : IControlPlaneSession
    {
        public ControlPlaneConnection? Connection { get; } = new(client, CancellationToken.None);

        public Task<ControlPlaneConnection> WaitForConnectionAsync(CancellationToken ct) => Task.FromResult(Connection!);
    }

    private sealed class Disconnected : IControlPlaneSession
    {
        public ControlPlaneConnection? Connection => null;

        public Task<ControlPlaneConnection> WaitForConnectionAsync(CancellationToken ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => Connection!, ct);
    }
}
