using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Granary.Model;
using Granary.NodeAgent.Networking.Proxy;
using Granary.NodeAgent.Networking.Proxy.Nftables;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Bench;

/// <summary>
/// The proxy command's wiring: a bulk server and an echo server on 127.0.0.1, an in-process <see cref="SocketProxy"/>
/// or <see cref="NftablesProxy"/> (--mode) with one listener per server, then <see cref="ProxyBenchmark"/> direct and proxied.
/// </summary>
internal static class ProxyCommand
{
    private static readonly ServiceKey Bulk = new("bench", "bulk");
    private static readonly ServiceKey Echo = new("bench", "echo");

    public static async Task RunAsync(ProxyOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"proxy benchmark ({options.Mode.ToString().ToLowerInvariant()}): {options.Streams} bulk stream(s) of {options.Megabytes} MiB, {options.Clients} clients x {options.Requests} round trips; " +
            $"{Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
        using var servers = new BenchServers(options.Megabytes * 1024L * 1024L);
        var catalog = new StaticCatalog(ImmutableDictionary<ServiceKey, ServiceEndpoints>.Empty
            .Add(Bulk, EndpointsOf(Bulk, servers.Bulk))
            .Add(Echo, EndpointsOf(Echo, servers.Echo)));
        var (bulkService, echoService) = options.Mode == ProxyMode.Nftables
            ? (new IPEndPoint(IPAddress.Parse("127.250.0.1"), 80), new IPEndPoint(IPAddress.Parse("127.250.0.2"), 80))
            : (new IPEndPoint(IPAddress.Loopback, FreeTcpPort()), new IPEndPoint(IPAddress.Loopback, FreeTcpPort()));
        var node = $"bench-{Environment.ProcessId}";
        await using var proxy = Create(options.Mode, catalog, node);
        try
        {
            var failures = proxy.Apply(new ProxyPlan(
                [Listener(bulkService, Bulk), Listener(echoService, Echo)], [], []));
            if (!failures.IsEmpty)
                throw new BenchmarkException($"the proxy could not serve: {string.Join("; ", failures.Select(f => $"{f.Listener}: {f.Reason}"))}");
            await MeasureAsync(options, output, servers, bulkService, echoService, ct);
        }
        finally
        {
            if (options.Mode == ProxyMode.Nftables)
                NftablesCleanup.Remove(node, new NftProgram());
        }
    }

    private static IServiceProxy Create(ProxyMode mode, StaticCatalog catalog, string node)
    {
        if (mode == ProxyMode.Relay)
            return new SocketProxy(catalog, node, new ServiceProxyOptions(), TimeProvider.System, NullLogger<SocketProxy>.Instance);
        var nft = new NftProgram();
        var table = NftablesRuleset.TableName(node);
        try
        {
            nft.Probe(table);
        }
        catch (NftablesException e)
        {
            throw new BenchmarkException($"--mode nftables: {e.Message}");
        }
        return new NftablesProxy(catalog, node, table, guardLocalnet: false, nft, NullLogger<NftablesProxy>.Instance);
    }

    private static async Task MeasureAsync(ProxyOptions options, TextWriter output, BenchServers servers, IPEndPoint bulkService, IPEndPoint echoService, CancellationToken ct)
    {
        var benchmark = new ProxyBenchmark(options, output);
        // Warm up both paths (JIT, pools) before anything is measured.
        await benchmark.RoundTripsAsync(servers.Echo, 200, ct);
        await benchmark.RoundTripsAsync(echoService, 200, ct);
        // Alternating rounds, and the median of each, so a burst of other load on the machine does not decide the ratio.
        var direct = new List<ThroughputSample>();
        var proxied = new List<ThroughputSample>();
        for (var round = 0; round < options.Rounds; round++)
        {
            direct.Add(await benchmark.ThroughputAsync(servers.Bulk, ct));
            proxied.Add(await benchmark.ThroughputAsync(bulkService, ct));
        }
        var directLatency = Percentiles.Summarize(await benchmark.RoundTripsAsync(servers.Echo, options.Requests, ct));
        var proxiedLatency = Percentiles.Summarize(await benchmark.RoundTripsAsync(echoService, options.Requests, ct));
        new ProxyResult(options.Mode, direct, proxied, directLatency, proxiedLatency).Print(output);
    }

    private static ProxyListener Listener(IPEndPoint address, ServiceKey service) =>
        new(new ListenerAddress(address, ProxyProtocol.Tcp), ListenerRole.ClusterIP, service, "", null, LocalEndpointsOnly: false, AffinityTimeout: null);

    private static ServiceEndpoints EndpointsOf(ServiceKey service, IPEndPoint server) =>
        new(service, [new EndpointSlice
        {
            Ports = [new SlicePort { Name = "", Port = server.Port, Protocol = "TCP" }],
            Endpoints = [new SliceEndpoint { Addresses = [server.Address.ToString()], Conditions = new EndpointConditions { Ready = true } }],
        }]);

    private static int FreeTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
