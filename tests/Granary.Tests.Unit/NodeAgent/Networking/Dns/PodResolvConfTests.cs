using Granary.Model;
using Granary.NodeAgent.Networking.Dns;

namespace Granary.Tests.Unit.NodeAgent.Networking.Dns;

public sealed class PodResolvConfTests
{
    private static readonly HostDnsConfig Host = HostDnsConfig.Parse("""
        # written by the host
        nameserver 127.0.0.53
        nameserver 9.9.9.9 ; second
        search corp.example. .
        options edns0 trust-ad
        """);

    private static Pod PodWith(string? policy = null, bool hostNetwork = false, PodDNSConfig? config = null) => new()
    {
        Metadata = new ObjectMeta { Name = "p", Namespace = "shop", Uid = "u1" },
        Spec = new PodSpec { DnsPolicy = policy, HostNetwork = hostNetwork, DnsConfig = config },
    };

    public static TheoryData<string?, bool, string> Policies => new()
    {
        { null, false, "nameserver 127.0.0.45\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n" },
        { "ClusterFirst", false, "nameserver 127.0.0.45\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n" },
        { "ClusterFirst", true, "nameserver 127.0.0.53\nnameserver 9.9.9.9\nsearch corp.example\noptions edns0 trust-ad\n" },
        { "ClusterFirstWithHostNet", true, "nameserver 127.0.0.45\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n" },
        { "Default", false, "nameserver 127.0.0.53\nnameserver 9.9.9.9\nsearch corp.example\noptions edns0 trust-ad\n" },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void Plan_Policy_WritesTheKubeletsFile(string? policy, bool hostNetwork, string expected)
    {
        var plan = PodResolvConf.Plan(PodWith(policy, hostNetwork), Host, "127.0.0.45", "cluster.local", "");

        Assert.Equal(expected, plan.Render());
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void Plan_NoneWithDnsConfig_HasOnlyTheConfig()
    {
        var config = new PodDNSConfig
        {
            Nameservers = ["1.2.3.4"], Searches = ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
            Options = [new PodDNSConfigOption { Name = "ndots", Value = "2" }, new PodDNSConfigOption { Name = "edns0" }],
        };

        var plan = PodResolvConf.Plan(PodWith("None", config: config), Host, "127.0.0.45", "cluster.local", "");

        Assert.Equal("nameserver 1.2.3.4\nsearch ns1.svc.cluster-domain.example my.dns.search.suffix\noptions ndots:2 edns0\n", plan.Render());
    }

    [Fact]
    public void Plan_ClusterFirstWithDnsConfig_AppendsAndMergesOptionsByName()
    {
        var config = new PodDNSConfig
        {
            Nameservers = ["127.0.0.45", "1.1.1.1"], Searches = ["cluster.local", "extra.example"],
            Options = [new PodDNSConfigOption { Name = "ndots", Value = "1" }, new PodDNSConfigOption { Name = "single-request-reopen" }],
        };

        var plan = PodResolvConf.Plan(PodWith(config: config), Host, "127.0.0.45", "cluster.local", "");

        Assert.Equal("nameserver 127.0.0.45\nnameserver 1.1.1.1\n"
            + "search shop.svc.cluster.local svc.cluster.local cluster.local corp.example extra.example\n"
            + "options ndots:1 single-request-reopen\n", plan.Render());
    }

    [Fact]
    public void Plan_WithoutClusterDns_FallsBackToTheHostWithMissingClusterDns()
    {
        var plan = PodResolvConf.Plan(PodWith(), Host, null, "cluster.local", "port 53 is taken");

        Assert.Equal("nameserver 127.0.0.53\nnameserver 9.9.9.9\nsearch corp.example\noptions edns0 trust-ad\n", plan.Render());
        var (reason, message) = Assert.Single(plan.Warnings);
        Assert.Equal("MissingClusterDNS", reason);
        Assert.StartsWith("pod: \"p_shop(u1)\". kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy.", message);
        Assert.Contains("port 53 is taken", message);
    }

    [Fact]
    public void Plan_TooManyNameserversAndSearches_KeepsTheLimitsAndWarns()
    {
        var config = new PodDNSConfig
        {
            Nameservers = ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"],
            Searches = [.. Enumerable.Range(0, 40).Select(i => $"s{i}.example")],
        };

        var plan = PodResolvConf.Plan(PodWith("None", config: config), Host, null, "cluster.local", "");

        Assert.Equal(PodResolvConf.MaxNameservers, plan.Config.Nameservers.Count);
        Assert.Equal(PodResolvConf.MaxSearches, plan.Config.Searches.Count);
        Assert.Equal(["DNSConfigForming", "DNSConfigForming"], plan.Warnings.Select(w => w.Reason));
    }

    [Fact]
    public void Plan_LongSearchLine_IsCutAt2048Characters()
    {
        var config = new PodDNSConfig { Nameservers = ["1.1.1.1"], Searches = [.. Enumerable.Range(0, 20).Select(i => new string('a', 100) + i)] };

        var plan = PodResolvConf.Plan(PodWith("None", config: config), Host, null, "cluster.local", "");

        Assert.True(string.Join(' ', plan.Config.Searches).Length <= PodResolvConf.MaxSearchChars);
        Assert.Equal(19, plan.Config.Searches.Count);
    }
}
