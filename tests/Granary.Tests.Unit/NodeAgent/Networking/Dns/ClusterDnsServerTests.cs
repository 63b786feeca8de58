using System.Diagnostics;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Networking.Dns;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Granary.Tests.Unit.NodeAgent.Networking.Dns.DnsObjects;

namespace Granary.Tests.Unit.NodeAgent.Networking.Dns;

/// <summary>The server over real UDP and TCP on loopback, with a fixed catalog and a fake upstream.</summary>
public sealed class ClusterDnsServerTests : IDisposable
{
    private readonly FakeUpstreamDns _upstream = new("outside.example", IPAddress.Parse("127.0.0.99"));
    private readonly List<ClusterDnsServer> _servers = [];

    [Fact]
    public async Task Query_ServiceName_AnswersOverUdpAndTcp()
    {
        var (server, status) = await StartAsync(new StaticServiceCatalog([ClusterIp("web", "127.145.0.10")], []), [_upstream.Endpoint]);

        var udp = await AskAsync(server, "web.default.svc.cluster.local", RecordType.A);
        var tcp = await AskAsync(server, "web.default.svc.cluster.local", RecordType.A, tcp: true);

        Assert.Equal(ReturnCode.NoError, udp.ReturnCode);
        Assert.True(udp.IsAuthoritiveAnswer);
        Assert.Equal("127.145.0.10", Assert.IsType<ARecord>(Assert.Single(udp.AnswerRecords)).Address.ToString());
        Assert.Equal("127.145.0.10", Assert.IsType<ARecord>(Assert.Single(tcp.AnswerRecords)).Address.ToString());
        // Port 0 here: pods could not name it in resolv.conf.
        Assert.Null(status.Nameserver);
        Assert.Equal(0, _upstream.Questions);
    }

    [Fact]
    public async Task Query_OutsideName_IsAnsweredByTheUpstream()
    {
        var (server, _) = await StartAsync(new StaticServiceCatalog([], []), [_upstream.Endpoint]);

        var found = await AskAsync(server, "outside.example", RecordType.A);
        var missing = await AskAsync(server, "nowhere.example", RecordType.A);

        Assert.Equal("127.0.0.99", Assert.IsType<ARecord>(Assert.Single(found.AnswerRecords)).Address.ToString());
        Assert.Equal(ReturnCode.NxDomain, missing.ReturnCode);
    }

    [Fact]
    public async Task Query_ExternalName_FollowsTheCnameUpstream()
    {
        var (server, _) = await StartAsync(new StaticServiceCatalog([External("out", "outside.example")], []), [_upstream.Endpoint]);

        var answer = await AskAsync(server, "out.default.svc.cluster.local", RecordType.A);

        Assert.Equal(["CNameRecord", "ARecord"], answer.AnswerRecords.Select(r => r.GetType().Name));
    }

    [Fact]
    public async Task Query_UpstreamsSilent_ServerFailureInBoundedTime()
    {
        // A UDP port nobody answers on: bound and never read.
        using var silent = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var (server, _) = await StartAsync(new StaticServiceCatalog([], []), [(IPEndPoint)silent.Client.LocalEndPoint!]);
        var clock = Stopwatch.StartNew();

        var answer = await AskAsync(server, "outside.example", RecordType.A, timeout: TimeSpan.FromSeconds(10));

        Assert.Equal(ReturnCode.ServerFailure, answer.ReturnCode);
        Assert.True(clock.Elapsed < UpstreamForwarder.Overall + TimeSpan.FromSeconds(2), $"SERVFAIL came after {clock.Elapsed}");
    }

    [Fact]
    public async Task Query_CatalogNotSyncedOrUnreachable_ServerFailureNotNxDomain()
    {
        var (unsynced, _) = await StartAsync(new StaticServiceCatalog([], [], synced: false), [_upstream.Endpoint]);
        var (unreachable, _) = await StartAsync(new StaticServiceCatalog([Headless("db")], []) { Unreachable = true }, [_upstream.Endpoint]);

        Assert.Equal(ReturnCode.ServerFailure, (await AskAsync(unsynced, "web.default.svc.cluster.local", RecordType.A)).ReturnCode);
        Assert.Equal(ReturnCode.ServerFailure, (await AskAsync(unreachable, "db.default.svc.cluster.local", RecordType.A)).ReturnCode);
    }

    [Fact]
    public async Task Query_PtrOfClusterIp_NamesTheService()
    {
        var (server, _) = await StartAsync(new StaticServiceCatalog([ClusterIp("web", "127.145.0.10")], []), [_upstream.Endpoint]);

        var answer = await AskAsync(server, "10.0.145.127.in-addr.arpa", RecordType.Ptr);

        Assert.Equal("web.default.svc.cluster.local.", Assert.IsType<PtrRecord>(Assert.Single(answer.AnswerRecords)).PointerDomainName.ToString());
    }

    [Fact]
    public async Task Start_PortTaken_LeavesPodsTheHostsResolverAndSaysWhy()
    {
        using var taken = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.Client.LocalEndPoint!).Port;

        var (server, status) = await StartAsync(new StaticServiceCatalog([], []), [_upstream.Endpoint], port);

        Assert.Null(server.Endpoint);
        Assert.Null(status.Nameserver);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", status.Problem);
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.StopAsync(default).GetAwaiter().GetResult();
            server.Dispose();
        }
        _upstream.Dispose();
    }

    private async Task<(ClusterDnsServer Server, ClusterDnsStatus Status)> StartAsync(IServiceCatalog catalog, IReadOnlyList<IPEndPoint> upstreams, int port = 0)
    {
        var settings = new AgentSettings { NodeIp = "127.0.0.1", DnsPort = port };
        var resolver = new ClusterDnsResolver(catalog, new ClusterDnsAnswers(DomainName.Parse("cluster.local")), new UpstreamForwarder(upstreams), NullLogger<ClusterDnsResolver>.Instance);
        var status = new ClusterDnsStatus();
        var server = new ClusterDnsServer(resolver, status, Options.Create(settings), NullLogger<ClusterDnsServer>.Instance);
        _servers.Add(server);
        await server.StartAsync(default);
        return (server, status);
    }

    private static async Task<DnsMessage> AskAsync(ClusterDnsServer server, string name, RecordType type, bool tcp = false, TimeSpan? timeout = null)
    {
        var port = server.Endpoint!.Port;
        using var tcpTransport = tcp ? new TcpClientTransport(port) : null;
        using var udpTransport = tcp ? null : new UdpClientTransport(port);
        IClientTransport[] transports = tcp ? [tcpTransport!] : [udpTransport!];
        using var client = new DnsClient([server.Endpoint.Address], transports, true, (int)(timeout ?? TimeSpan.FromSeconds(5)).TotalMilliseconds);
        var query = new DnsMessage { IsRecursionDesired = true };
        query.Questions.Add(new DnsQuestion(DomainName.Parse(name), type, RecordClass.INet));
        return await client.SendMessageAsync(query) ?? throw new TimeoutException($"no answer from the cluster DNS on {server.Endpoint} for {name} {type}");
    }
}
