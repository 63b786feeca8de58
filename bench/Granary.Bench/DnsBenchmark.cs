using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ARSoft.Tools.Net;
using Granary.Model;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Networking.Dns;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Bench;

/// <summary>What one run of the dns benchmark measured.</summary>
internal sealed record DnsResult(int Services, int Clients, int Queries, TimeSpan Elapsed, LatencySummary Latency, IReadOnlyDictionary<string, int> Codes)
{
    public void Print(TextWriter output)
    {
        output.WriteLine($"{Queries} queries in {Elapsed.TotalSeconds:0.00} s: {Queries / Elapsed.TotalSeconds:0} queries/s over UDP, {Clients} clients, {Services} services");
        output.WriteLine($"latency {Latency}");
        output.WriteLine("answers: " + string.Join(", ", Codes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}")));
    }
}

/// <summary>
/// The agent's own DNS server (resolver, answers, ARSoft transport) in process on loopback, against a catalog that
/// never changes, so the figures are the server's cost per question. The clients write their questions by hand (a
/// header and one question) to keep the client side cheap on the same cores; answers are checked by id and code.
/// </summary>
internal sealed class DnsBenchmark(DnsOptions options, TextWriter output)
{
    private static readonly string[] CodeNames = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

    public async Task<DnsResult> RunAsync(CancellationToken ct)
    {
        var catalog = new FixedCatalog(options.Services);
        var settings = new AgentSettings { NodeIp = "127.0.0.1", DnsPort = 0, ClusterDomain = "cluster.local" };
        var resolver = new ClusterDnsResolver(catalog, new ClusterDnsAnswers(DomainName.Parse("cluster.local")), new UpstreamForwarder([]), NullLogger<ClusterDnsResolver>.Instance);
        var server = new ClusterDnsServer(resolver, new ClusterDnsStatus(), Options.Create(settings), NullLogger<ClusterDnsServer>.Instance);
        await server.StartAsync(ct);
        try
        {
            var endpoint = server.Endpoint ?? throw new BenchmarkException("the DNS server could not listen on 127.0.0.1");
            output.WriteLine($"server on {endpoint}; warming up");
            await RunClientsAsync(endpoint, Math.Max(options.Clients, options.Queries / 10), ct);
            var clock = Stopwatch.StartNew();
            var (latencies, codes) = await RunClientsAsync(endpoint, options.Queries, ct);
            clock.Stop();
            return new DnsResult(options.Services, options.Clients, options.Queries, clock.Elapsed, Percentiles.Summarize(latencies), codes);
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
            server.Dispose();
        }
    }

    private async Task<(List<double> Latencies, Dictionary<string, int> Codes)> RunClientsAsync(IPEndPoint server, int queries, CancellationToken ct)
    {
        var perClient = Enumerable.Range(0, options.Clients).Select(c => queries / options.Clients + (c < queries % options.Clients ? 1 : 0)).ToArray();
        var results = await Task.WhenAll(perClient.Select((count, client) => Task.Run(() => ClientAsync(server, client, count, ct), ct)));
        var codes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, clientCodes) in results)
            foreach (var (code, count) in clientCodes)
                codes[code] = codes.GetValueOrDefault(code) + count;
        return ([.. results.SelectMany(r => r.Latencies)], codes);
    }

    private async Task<(List<double> Latencies, Dictionary<string, int> Codes)> ClientAsync(IPEndPoint server, int client, int count, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        var latencies = new List<double>(count);
        var codes = new Dictionary<string, int>(StringComparer.Ordinal);
        var buffer = new byte[1500];
        for (var i = 0; i < count; i++)
        {
            var id = (ushort)(i * 7919 + client);
            var (name, type) = Question(client * 1_000_003 + i);
            var query = Encode(id, name, type);
            var started = Stopwatch.GetTimestamp();
            await socket.SendAsync(query, ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            int read;
            do
            {
                read = await socket.ReceiveAsync(buffer, timeout.Token);
            }
            while (read < 12 || (buffer[0] << 8 | buffer[1]) != id);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var code = buffer[3] & 0x0F;
            var text = code < CodeNames.Length ? CodeNames[code] : code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            codes[text] = codes.GetValueOrDefault(text) + 1;
        }
        return (latencies, codes);
    }

    /// <summary>The n-th question: A of a Service, SRV of its port, A of a headless Service, an unknown name.</summary>
    private (string Name, ushort Type) Question(int n)
    {
        var service = (int)((uint)n * 2654435761u % (uint)options.Services);
        return (n % 4) switch
        {
            0 => ($"svc-{service}.default.svc.cluster.local", 1),
            1 => ($"_http._tcp.svc-{service}.default.svc.cluster.local", 33),
            2 => ($"svc-{service / 4 * 4}.default.svc.cluster.local", 1),
            _ => ($"missing-{service}.default.svc.cluster.local", 1),
        };
    }

    /// <summary>A query: header (id, RD, one question) and the question (name, type, class IN).</summary>
    private static byte[] Encode(ushort id, string name, ushort type)
    {
        var packet = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            packet.Add((byte)label.Length);
            packet.AddRange(Encoding.ASCII.GetBytes(label));
        }
        packet.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. packet];
    }

    /// <summary>N Services svc-0…svc-N-1 in default, every fourth headless with three ready endpoints.</summary>
    private sealed class FixedCatalog : IServiceCatalog
    {
        private readonly ImmutableDictionary<ServiceKey, ServiceEndpoints> _endpoints;

        public FixedCatalog(int count)
        {
            var services = Enumerable.Range(0, count).Select(i => new Service
            {
                Metadata = new ObjectMeta { Name = $"svc-{i}", Namespace = "default" },
                Spec = new ServiceSpec
                {
                    Type = ServiceTypes.ClusterIP,
                    ClusterIP = i % 4 == 0 ? Service.ClusterIPNone : $"127.145.{i / 250}.{i % 250 + 1}",
                    Ports = [new ServicePort { Name = "http", Port = 80, Protocol = "TCP" }],
                },
            }).ToList();
            Services = new ServiceTable(true, "1", services.ToImmutableDictionary(ServiceKey.Of));
            _endpoints = services.Where(s => s.Spec.ClusterIP == Service.ClusterIPNone).ToImmutableDictionary(ServiceKey.Of, s => new ServiceEndpoints(ServiceKey.Of(s),
            [
                new EndpointSlice
                {
                    Metadata = new ObjectMeta { Name = s.Metadata.Name + "-x", Namespace = "default" },
                    Ports = [new SlicePort { Name = "http", Port = 8080, Protocol = "TCP" }],
                    Endpoints = [.. Enumerable.Range(1, 3).Select(e => new SliceEndpoint { Addresses = [$"127.1.{e}.{s.Metadata.Name!.Length}"], Conditions = new EndpointConditions { Ready = true } })],
                },
            ]));
        }

        public ServiceTable Services { get; }

        public event Action<ServiceTable>? ServicesChanged { add { } remove { } }

        public event Action<ServiceEndpoints>? EndpointsChanged { add { } remove { } }

        public ValueTask<ServiceEndpoints> GetEndpointsAsync(ServiceKey service, CancellationToken ct) =>
            ValueTask.FromResult(_endpoints.TryGetValue(service, out var endpoints) ? endpoints : new ServiceEndpoints(service, []));
    }
}
