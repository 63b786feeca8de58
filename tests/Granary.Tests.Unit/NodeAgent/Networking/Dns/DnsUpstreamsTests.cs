using System.Net;
using Granary.NodeAgent.Networking.Dns;

namespace Granary.Tests.Unit.NodeAgent.Networking.Dns;

public sealed class DnsUpstreamsTests
{
    private static readonly IPEndPoint Listening = new(IPAddress.Parse("127.0.0.45"), 53);

    [Fact]
    public void Resolve_Flag_ReadsAddressesAndPorts()
    {
        var upstreams = DnsUpstreams.Resolve("127.0.0.9:5353, 1.1.1.1,[::1]:54", HostDnsConfig.Empty, Listening);

        Assert.Equal(["127.0.0.9:5353", "1.1.1.1:53", "[::1]:54"], upstreams.Select(u => u.ToString()));
    }

    [Fact]
    public void Resolve_Unset_TakesTheHostsNameserversButNotItself()
    {
        var host = HostDnsConfig.Parse("nameserver 127.0.0.45\nnameserver 127.0.0.53\nnameserver ::1\n");

        var upstreams = DnsUpstreams.Resolve(null, host, Listening);

        Assert.Equal(["127.0.0.53:53", "[::1]:53"], upstreams.Select(u => u.ToString()));
    }

    [Fact]
    public void Resolve_BadEntry_SaysWhatToWrite()
    {
        var error = Assert.Throws<ArgumentException>(() => DnsUpstreams.Resolve("dns.example", HostDnsConfig.Empty, Listening));

        Assert.Contains("--dns-upstream: \"dns.example\" is not an address", error.Message);
    }
}
