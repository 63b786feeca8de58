using Granary.NodeAgent.Networking;

namespace Granary.Tests.Unit.NodeAgent.Networking;

public class PodNetworksTests
{
    private static readonly string[] None = [];

    [Theory]
    [InlineData("host", typeof(HostPodNetwork))]
    [InlineData("loopback", typeof(LoopbackPodNetwork))]
    [InlineData(" Loopback ", typeof(LoopbackPodNetwork))]
    [InlineData("BRIDGE", typeof(BridgePodNetwork))]
    public void Create_KnownName_ThatNetwork(string name, Type expected)
    {
        var network = PodNetworks.Create(name, "127.0.0.11", "127.1.1.0/24");

        Assert.IsType(expected, network);
        Assert.Equal(name.Trim().ToLowerInvariant(), network.Name);
    }

    [Fact]
    public void Create_UnknownName_ListsTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => PodNetworks.Create("calico", "127.0.0.11", null));

        Assert.StartsWith(
            "unknown pod network 'calico': use host (pods share the node's address), loopback (one 127.x address per pod) or bridge (the engine's network)",
            e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Create_LoopbackWithoutBlock_SaysWhatItNeeds(string? cidr)
    {
        var e = Assert.Throws<ArgumentException>(() => PodNetworks.Create("loopback", "127.0.0.11", cidr));

        Assert.StartsWith("the loopback pod network needs an address block in 127.0.0.0/8 (pod CIDR), e.g. 127.1.1.0/24", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("127.0.0.5")]
    public void HostNetwork_AnyPod_GetsTheNodeAddress(string? existing)
    {
        var network = PodNetworks.Create("host", "127.0.0.11", null);

        Assert.Equal("127.0.0.11", network.AssignAddress("a", existing, None));
        Assert.Equal("127.0.0.11", network.AssignAddress("b", null, ["127.0.0.11"]));
        network.Release("a");
    }

    [Fact]
    public void HostNetwork_NoNodeAddress_Refused()
    {
        Assert.Throws<ArgumentException>(() => PodNetworks.Create("host", " ", null));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("127.0.0.5", "127.0.0.5")]
    public void BridgeNetwork_AddressComesFromTheEngine(string? existing, string? expected)
    {
        var network = PodNetworks.Create("bridge", "127.0.0.11", null);

        Assert.Equal(expected, network.AssignAddress("a", existing, None));
        network.Release("a");
    }
}
