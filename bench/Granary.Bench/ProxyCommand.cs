using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Granary.Model;
using Granary.NodeAgent.Networking.Proxy;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Bench;

/// <summary>
/// The proxy command's wiring: a bulk server and an echo server on 127.0.0.1, an in-process <see cref="SocketProxy"/>
/// with one listener per server, then <see cref="ProxyBenchmark"/> direct and proxied.
/// </summary>
internal static class ProxyCommand
{
    private static readonly ServiceKey Bulk = new("bench", "bulk");
    private static readonly ServiceKey Echo = new("bench", "echo");

    public static async Task RunAsync(ProxyOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"proxy benchmark: {options.Streams} bulk stream(s) of {options.Megabytes} MiB, {options.Clients} clients x {options.Requests} round trips; " +
            $"{Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
        using var servers = new BenchServers(options.Megabytes * 1024L * 1024L);
        var catalog = new StaticCatalog(ImmutableDictionary<ServiceKey, ServiceEndpoints>.Empty
            .Add(Bulk, EndpointsOf(Bulk, servers.Bulk))
            .Add(Echo, EndpointsOf(Echo, servers.Echo)));
        await using var proxy = new SocketProxy(catalog, "bench", new ServiceProxyOptions(), TimeProvider.System, NullLogger<SocketProxy>.Instance);
        var bulkService = new IPEndPoint(IPAddress.Loopback, FreeTcpPort());
        var echoService = new IPEndPoint(IPAddress.Loopback, FreeTcpPort());
        var failures = proxy.Apply(new ProxyPlan(
            [Listener(bulkService, Bulk), Listener(echoService, Echo)], [], []));
        if (!failures.IsEmpty)
            throw new BenchmarkException($"the proxy could not listen: {string.Join("; ", failures.Select(f => $"{f.Listener}: {f.Reason}"))}");

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
        new ProxyResult(direct, proxied, directLatency, proxiedLatency).Print(output);
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
