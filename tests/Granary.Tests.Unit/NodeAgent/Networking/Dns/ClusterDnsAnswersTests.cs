using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Granary.Model;
using Granary.NodeAgent.Networking.Dns;
using Granary.NodeAgent.Networking.Services;
using static Granary.Tests.Unit.NodeAgent.Networking.Dns.DnsObjects;

namespace Granary.Tests.Unit.NodeAgent.Networking.Dns;

public sealed class ClusterDnsAnswersTests
{
    private static readonly DomainName Zone = DomainName.Parse("cluster.local");

    private static readonly Service Web = ClusterIp("web", "127.145.0.10", Port("http", 80), Port("dns", 53, "UDP"));
    private static readonly Service Db = Headless("db", Port("pg", 5432));
    private static readonly EndpointSlice DbSlice = Slice("db", [new SlicePort { Name = "pg", Port = 5432, Protocol = "TCP" }],
        Endpoint("127.1.45.2", hostname: "db-0"), Endpoint("127.1.46.3", hostname: "db-1"), Endpoint("127.1.47.4", ready: false, hostname: "db-2"));
    private static readonly Service Empty = Headless("empty");
    private static readonly Service Mail = External("mail", "smtp.example.org");

    /// <summary>Question, type → expected return code and the answer records, as "TYPE data" strings.</summary>
    public static TheoryData<string, RecordType, ReturnCode, string[]> Cases => new()
    {
        { "web.default.svc.cluster.local", RecordType.A, ReturnCode.NoError, ["A 127.145.0.10"] },
        { "WEB.Default.svc.cluster.local", RecordType.A, ReturnCode.NoError, ["A 127.145.0.10"] },
        { "web.default.svc.cluster.local", RecordType.Aaaa, ReturnCode.NoError, [] },
        { "web.default.svc.cluster.local", RecordType.Any, ReturnCode.NoError, ["A 127.145.0.10"] },
        { "nope.default.svc.cluster.local", RecordType.A, ReturnCode.NxDomain, [] },
        { "web.other.svc.cluster.local", RecordType.A, ReturnCode.NxDomain, [] },
        { "web.default.svc.cluster.local.default.svc.cluster.local", RecordType.A, ReturnCode.NxDomain, [] },
        { "_http._tcp.web.default.svc.cluster.local", RecordType.Srv, ReturnCode.NoError, ["SRV 0 100 80 web.default.svc.cluster.local."] },
        { "_dns._udp.web.default.svc.cluster.local", RecordType.Srv, ReturnCode.NoError, ["SRV 0 100 53 web.default.svc.cluster.local."] },
        { "_dns._tcp.web.default.svc.cluster.local", RecordType.Srv, ReturnCode.NxDomain, [] },
        { "_http._tcp.web.default.svc.cluster.local", RecordType.A, ReturnCode.NoError, ["A 127.145.0.10"] },
        { "db.default.svc.cluster.local", RecordType.A, ReturnCode.NoError, ["A 127.1.45.2", "A 127.1.46.3"] },
        { "_pg._tcp.db.default.svc.cluster.local", RecordType.Srv, ReturnCode.NoError,
            ["SRV 0 50 5432 db-0.db.default.svc.cluster.local.", "SRV 0 50 5432 db-1.db.default.svc.cluster.local."] },
        { "db-1.db.default.svc.cluster.local", RecordType.A, ReturnCode.NoError, ["A 127.1.46.3"] },
        { "127-1-45-2.db.default.svc.cluster.local", RecordType.A, ReturnCode.NoError, ["A 127.1.45.2"] },
        { "db-2.db.default.svc.cluster.local", RecordType.A, ReturnCode.NxDomain, [] },
        { "db-0.web.default.svc.cluster.local", RecordType.A, ReturnCode.NxDomain, [] },
        { "empty.default.svc.cluster.local", RecordType.A, ReturnCode.NxDomain, [] },
        { "mail.default.svc.cluster.local", RecordType.A, ReturnCode.NoError, ["CNAME smtp.example.org."] },
        { "127-1-45-9.default.pod.cluster.local", RecordType.A, ReturnCode.NoError, ["A 127.1.45.9"] },
        { "not-an-ip.default.pod.cluster.local", RecordType.A, ReturnCode.NxDomain, [] },
        { "default.svc.cluster.local", RecordType.A, ReturnCode.NoError, [] },
        { "other.svc.cluster.local", RecordType.A, ReturnCode.NxDomain, [] },
        { "svc.cluster.local", RecordType.A, ReturnCode.NoError, [] },
        { "cluster.local", RecordType.Soa, ReturnCode.NoError, ["SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5"] },
        { "a.b.c.d.e.svc.cluster.local", RecordType.A, ReturnCode.NxDomain, [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Answer_ClusterName_GivesKubernetesRecords(string question, RecordType type, ReturnCode code, string[] records)
    {
        var answers = new ClusterDnsAnswers(Zone);
        var name = DomainName.Parse(question);
        var parsed = ClusterNames.Parse(name, Zone)!;
        var table = new StaticServiceCatalog([Web, Db, Empty, Mail], [DbSlice]);

        var answer = answers.Answer(name, type, parsed, Facts(table, parsed));

        Assert.Equal(code, answer.Code);
        Assert.Equal(records, answer.Answers.Select(Text));
        Assert.All(answer.Answers, r => Assert.Equal(ClusterDnsAnswers.DefaultTtl, r.TimeToLive));
        if (answer.Answers.Count == 0)
            Assert.IsType<SoaRecord>(Assert.Single(answer.Authority));
    }

    [Fact]
    public void Answer_SrvOfHeadlessService_AddsTheTargetsAddresses()
    {
        var answers = new ClusterDnsAnswers(Zone);
        var name = DomainName.Parse("_pg._tcp.db.default.svc.cluster.local");
        var parsed = ClusterNames.Parse(name, Zone)!;

        var answer = answers.Answer(name, RecordType.Srv, parsed, Facts(new StaticServiceCatalog([Db], [DbSlice]), parsed));

        Assert.Equal(["db-0.db.default.svc.cluster.local. A 127.1.45.2", "db-1.db.default.svc.cluster.local. A 127.1.46.3"],
            answer.Additional.Select(r => $"{r.Name} {Text(r)}"));
    }

    [Fact]
    public void Answer_ExternalName_AsksToFollowTheTarget()
    {
        var answers = new ClusterDnsAnswers(Zone);
        var name = DomainName.Parse("mail.default.svc.cluster.local");

        var answer = answers.Answer(name, RecordType.A, ClusterNames.Parse(name, Zone)!, new ClusterDnsFacts(Mail, null, true));

        Assert.Equal(DomainName.Parse("smtp.example.org"), answer.CnameTarget);
    }

    [Theory]
    [InlineData("example.org")]
    [InlineData("local")]
    [InlineData("cluster.local.example.org")]
    public void Parse_NameOutsideTheZone_IsForwarded(string question) =>
        Assert.Null(ClusterNames.Parse(DomainName.Parse(question), Zone));

    [Fact]
    public void Reverse_ClusterIp_NamesTheService()
    {
        var answers = new ClusterDnsAnswers(Zone);
        var name = DomainName.Parse("10.0.145.127.in-addr.arpa");

        Assert.Equal(System.Net.IPAddress.Parse("127.145.0.10"), ClusterDnsAnswers.ReverseAddress(name));
        Assert.Equal(["PTR web.default.svc.cluster.local."], answers.Reverse(name, Web)!.Answers.Select(Text));
        Assert.Null(answers.Reverse(name, null));
    }

    [Theory]
    [InlineData("127-1-2-3", "127.1.2.3")]
    [InlineData("fd00--1", "fd00::1")]
    [InlineData("db-0", null)]
    [InlineData("1-2-3", null)]
    public void DashedAddress_ReadsDashedLabels(string label, string? address) =>
        Assert.Equal(address, ClusterNames.DashedAddress(label)?.ToString());

    private static ClusterDnsFacts Facts(StaticServiceCatalog catalog, ClusterName name)
    {
        var key = name switch
        {
            ServiceName s => new ServiceKey(s.Namespace, s.Service),
            ServicePortName p => new ServiceKey(p.Namespace, p.Service),
            EndpointName e => new ServiceKey(e.Namespace, e.Service),
            _ => (ServiceKey?)null,
        };
        var service = key is { } k ? catalog.Services.Find(k) : null;
        var endpoints = ClusterDnsAnswers.NeedsEndpoints(name, service) ? catalog.EndpointsOf(key!.Value) : null;
        var ns = name is NamespaceName n && catalog.Services.ByKey.Keys.Any(x => x.Namespace == n.Namespace);
        return new ClusterDnsFacts(service, endpoints, ns);
    }

    private static string Text(DnsRecordBase record) => record switch
    {
        ARecord a => $"A {a.Address}",
        AaaaRecord a => $"AAAA {a.Address}",
        SrvRecord s => $"SRV {s.Priority} {s.Weight} {s.Port} {s.Target}",
        CNameRecord c => $"CNAME {c.CanonicalName}",
        PtrRecord p => $"PTR {p.PointerDomainName}",
        SoaRecord s => $"SOA {s.MasterName} {s.ResponsibleName} {s.SerialNumber} {s.RefreshInterval} {s.RetryInterval} {s.ExpireInterval} {s.NegativeCachingTTL}",
        _ => record.ToString(),
    };
}
