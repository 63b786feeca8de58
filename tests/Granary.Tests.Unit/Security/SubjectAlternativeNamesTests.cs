using System.Net;
using Granary.Silo.Security;

namespace Granary.Tests.Unit.Security;

public sealed class SubjectAlternativeNamesTests
{
    [Theory]
    [InlineData("127.0.0.1", "node-1", "localhost,node-1", "127.0.0.1")]
    [InlineData("127.0.0.5", "node-1", "localhost,node-1", "127.0.0.1,127.0.0.5")]
    [InlineData("0.0.0.0", "node-1", "localhost,node-1", "127.0.0.1")]
    [InlineData("::", "node-1", "localhost,node-1", "127.0.0.1,::1")]
    [InlineData("::1", "node-1", "localhost,node-1", "127.0.0.1,::1")]
    [InlineData("127.0.0.1", "Node-1.Example.", "localhost,node-1.example", "127.0.0.1")]
    [InlineData("127.0.0.1", "localhost", "localhost", "127.0.0.1")]
    [InlineData("127.0.0.1", "", "localhost", "127.0.0.1")]
    [InlineData("127.0.0.1", "bad host!", "localhost", "127.0.0.1")]
    [InlineData("127.0.0.1", "127.0.0.9", "localhost", "127.0.0.1,127.0.0.9")]
    public void For_ListsLocalhostLoopbackTheApiAddressAndTheHostName(string apiAddress, string hostName, string dns, string addresses)
    {
        var names = SubjectAlternativeNames.For(IPAddress.Parse(apiAddress), hostName);

        Assert.Equal(dns.Split(','), names.DnsNames);
        Assert.Equal(addresses.Split(','), names.Addresses.Select(a => a.ToString()));
    }
}
