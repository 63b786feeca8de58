using Granary.Api;
using Granary.Errors;
using Granary.Grains.Services;

namespace Granary.Tests.Unit.Services;

public class ServiceAddressBookTests
{
    private static readonly ServiceNetwork Network = ServiceNetwork.Parse("10.43.0.0/16", "30000-32767");

    private static ServiceAddressBook Book(ServiceNetwork? network = null) => new(network ?? Network, []);

    private static ServiceAddressRequest Request(string owner, string? ip, params int?[] nodePorts) => Owned(owner, "u1", ip, nodePorts);

    private static ServiceAddressRequest Owned(string owner, string uid, string? ip, params int?[] nodePorts) =>
        new() { Owner = owner, Uid = uid, ClusterIP = ip, NodePorts = [.. nodePorts] };

    private static string Error(Action act) => Assert.Single(Assert.Throws<InvalidException>(act).Causes).ToString();

    [Fact]
    public void Parse_KnowsTheFirstAddressAndTheRange()
    {
        Assert.Equal("10.43.0.1", Network.FirstAddress);
        Assert.Equal("30000-32767", Network.PortRange);
        Assert.Throws<FormatException>(() => ServiceNetwork.Parse("10.43.0.0", "30000-32767"));
        Assert.Throws<FormatException>(() => ServiceNetwork.Parse("10.43.0.0/16", "32767-30000"));
    }

    [Fact]
    public void Allocate_Any_NeverHandsOutTheFirstAddress_NorOneTwice()
    {
        var book = Book(ServiceNetwork.Parse("10.43.0.0/29", "30000-30001"));
        var ips = Enumerable.Range(0, 5).Select(i => book.Allocate(Request($"ns/s{i}", ip: ""), new Random(1)).ClusterIP).ToList();

        // A /29 has six usable addresses; the first is the kubernetes service's.
        Assert.Equal(["10.43.0.2", "10.43.0.3", "10.43.0.4", "10.43.0.5", "10.43.0.6"], ips.Order(StringComparer.Ordinal));
        var full = Assert.Throws<ServiceUnavailableException>(() => book.Allocate(Request("ns/s5", ip: ""), new Random(1)));
        Assert.StartsWith("failed to allocate a serviceIP: range is full", full.Message);
    }

    [Fact]
    public void Allocate_RequestedIP_IsHonouredOnce_ThenRefusedAsKubeDoes()
    {
        var book = Book();
        Assert.Equal("10.43.0.10", book.Allocate(Request("ns/a", ip: "10.43.0.10"), Random.Shared).ClusterIP);

        Assert.Equal(
            "spec.clusterIPs: Invalid value: []string{\"10.43.0.10\"}: failed to allocate IP 10.43.0.10: provided IP is already allocated",
            Error(() => book.Allocate(Request("ns/b", ip: "10.43.0.10"), Random.Shared)));
        Assert.Equal(
            "spec.clusterIPs: Invalid value: []string{\"10.0.0.5\"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.43.0.0/16",
            Error(() => book.Allocate(Request("ns/b", ip: "10.0.0.5"), Random.Shared)));
        // The holder asking again is not refused.
        Assert.Equal("10.43.0.10", book.Allocate(Request("ns/a", ip: "10.43.0.10"), Random.Shared).ClusterIP);
    }

    [Fact]
    public void Allocate_NodePorts_RequestedAndDrawn_RefusedWhenTakenOrOutOfRange()
    {
        var book = Book();
        var granted = book.Allocate(Request("ns/a", ip: null, 30080, 0, null), Random.Shared);

        Assert.Null(granted.ClusterIP);
        Assert.Equal(30080, granted.NodePorts[0]);
        Assert.InRange(granted.NodePorts[1]!.Value, 30000, 32767);
        Assert.NotEqual(30080, granted.NodePorts[1]);
        Assert.Null(granted.NodePorts[2]);
        Assert.Equal("spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated",
            Error(() => book.Allocate(Request("ns/b", ip: null, 0, 30080), Random.Shared)));
        Assert.Equal("spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767",
            Error(() => book.Allocate(Request("ns/b", ip: null, 80), Random.Shared)));
    }

    [Fact]
    public void Allocate_Refused_ClaimsNothing()
    {
        var book = Book();
        book.Allocate(Request("ns/a", ip: null, 30080), Random.Shared);

        Assert.Throws<InvalidException>(() => book.Allocate(Request("ns/b", ip: "10.43.0.20", 30080), Random.Shared));

        Assert.Null(book.HoldingsOf("ns/b"));
        Assert.Equal("10.43.0.20", book.Allocate(Request("ns/c", ip: "10.43.0.20"), Random.Shared).ClusterIP);
    }

    [Fact]
    public void Retain_ReleasesWhatIsNotKept_AndOnlyForTheSameUid()
    {
        var book = Book();
        book.Allocate(Owned("ns/a", "u1", "10.43.0.30", 30001, 30002), Random.Shared);

        Assert.False(book.Retain("ns/a", "other-uid", ServiceAddresses.None));
        Assert.True(book.Retain("ns/a", "u1", new ServiceAddresses("10.43.0.30", [30002])));
        Assert.Equal(30001, book.Allocate(Request("ns/b", ip: null, 30001), Random.Shared).NodePorts[0]);
        Assert.Throws<InvalidException>(() => book.Allocate(Request("ns/c", ip: null, 30002), Random.Shared));

        Assert.True(book.Retain("ns/a", "u1", ServiceAddresses.None));
        Assert.Null(book.HoldingsOf("ns/a"));
        Assert.Equal("10.43.0.30", book.Allocate(Request("ns/c", ip: "10.43.0.30"), Random.Shared).ClusterIP);
    }

    [Fact]
    public void Allocate_ForANewUidOfTheSameKey_FreesWhatTheGoneServiceHeld()
    {
        var book = Book();
        book.Allocate(Owned("ns/a", "old", "10.43.0.40", 30040), Random.Shared);

        book.Allocate(Owned("ns/a", "new", ""), Random.Shared);

        Assert.Equal("10.43.0.40", book.Allocate(Request("ns/b", ip: "10.43.0.40", 30040), Random.Shared).ClusterIP);
    }

    [Fact]
    public void Book_RebuiltFromStoredHoldings_KnowsWhatIsTaken()
    {
        var holdings = new Dictionary<string, ServiceHolding>();
        var book = new ServiceAddressBook(Network, holdings);
        book.Allocate(Request("ns/a", ip: "10.43.0.50", 30050), Random.Shared);

        var reloaded = new ServiceAddressBook(Network, holdings);

        Assert.Throws<InvalidException>(() => reloaded.Allocate(Request("ns/b", ip: "10.43.0.50"), Random.Shared));
        Assert.Throws<InvalidException>(() => reloaded.Allocate(Request("ns/b", ip: null, 30050), Random.Shared));
    }
}
