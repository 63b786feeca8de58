using Granary.NodeAgent.Networking;

namespace Granary.Tests.Unit.NodeAgent.Networking;

public class LoopbackPodNetworkTests
{
    private static readonly string[] None = [];

    [Fact]
    public void AssignAddress_NewPods_LowestFreeFromDotTwo()
    {
        var network = new LoopbackPodNetwork("127.1.1.0/24");

        Assert.Equal("127.1.1.2", network.AssignAddress("a", null, None));
        Assert.Equal("127.1.1.3", network.AssignAddress("b", null, None));
        Assert.Equal("127.1.1.4", network.AssignAddress("c", null, None));
    }

    [Fact]
    public void AssignAddress_SamePodAgain_SameAddress()
    {
        var network = new LoopbackPodNetwork("127.1.1.0/24");
        network.AssignAddress("a", null, None);
        var b = network.AssignAddress("b", null, None);

        Assert.Equal(b, network.AssignAddress("b", null, None));
        Assert.Equal(b, network.AssignAddress("b", null, ["127.1.1.3"]));
    }

    [Fact]
    public void AssignAddress_AddressesInUse_AreSkipped()
    {
        var network = new LoopbackPodNetwork("127.1.1.0/24");
        string[] inUse = ["127.1.1.2", "127.1.1.4", "not-an-address", "10.0.0.3"];

        Assert.Equal("127.1.1.3", network.AssignAddress("a", null, inUse));
        Assert.Equal("127.1.1.5", network.AssignAddress("b", null, inUse));
    }

    [Fact]
    public void AssignAddress_ExistingInBlock_IsKeptAndNotHandedOutAgain()
    {
        var network = new LoopbackPodNetwork("127.1.1.0/29");

        Assert.Equal("127.1.1.4", network.AssignAddress("adopted", "127.1.1.4", None));
        string[] others = ["b", "c", "d", "e"];
        Assert.Equal(["127.1.1.2", "127.1.1.3", "127.1.1.5", "127.1.1.6"], others.Select(p => network.AssignAddress(p, null, None)));
    }

    [Fact]
    public void AssignAddress_ExistingOutsideBlock_IsKeptForThatPod()
    {
        var network = new LoopbackPodNetwork("127.1.1.0/24");

        Assert.Equal("127.9.9.9", network.AssignAddress("adopted", "127.9.9.9", None));
        Assert.Equal("127.1.1.2", network.AssignAddress("b", null, None));
    }

    [Fact]
    public void AssignAddress_ExistingDiffersFromGiven_ExistingWins()
    {
        var network = new LoopbackPodNetwork("127.1.1.0/24");
        network.AssignAddress("a", null, None);

        Assert.Equal("127.1.1.9", network.AssignAddress("a", "127.1.1.9", None));
        Assert.Equal("127.1.1.9", network.AssignAddress("a", null, None));
        Assert.Equal("127.1.1.2", network.AssignAddress("b", null, None));
    }

    [Fact]
    public void Release_ThenNewPod_GetsTheFreedAddress()
    {
        var network = new LoopbackPodNetwork("127.1.1.0/24");
        network.AssignAddress("a", null, None);
        network.AssignAddress("b", null, None);
        network.AssignAddress("c", null, None);

        network.Release("b");
        network.Release("b");

        Assert.Equal("127.1.1.3", network.AssignAddress("d", null, None));
    }

    [Fact]
    public void AssignAddress_FullSlash24_Hands253AddressesUpToDot254ThenSaysItIsExhausted()
    {
        var network = new LoopbackPodNetwork("127.1.1.0/24");

        var addresses = Enumerable.Range(0, 253).Select(i => network.AssignAddress($"pod-{i}", null, None)).ToList();

        Assert.Equal(253, network.Capacity);
        Assert.Equal("127.1.1.254", addresses[^1]);
        Assert.Equal(253, addresses.Distinct().Count());
        var e = Assert.Throws<PodAddressExhaustedException>(() => network.AssignAddress("one-too-many", null, None));
        Assert.Equal("pod network 127.1.1.0/24 has no free address: all 253 are in use; give the node a larger block (pod CIDR), e.g. a /16", e.Message);
    }

    [Fact]
    public void AssignAddress_AllFreeAddressesInUseElsewhere_SaysItIsExhausted()
    {
        var network = new LoopbackPodNetwork("127.1.1.0/30");

        Assert.Throws<PodAddressExhaustedException>(() => network.AssignAddress("a", null, ["127.1.1.2"]));
    }

    [Theory]
    [InlineData("127.1.1.0/24", "127.1.1.0/24", 253)]
    [InlineData("127.1.1.77/24", "127.1.1.0/24", 253)]
    [InlineData(" 127.2.0.0/16 ", "127.2.0.0/16", 65533)]
    [InlineData("127.0.0.0/8", "127.0.0.0/8", 16777213)]
    [InlineData("127.1.1.8/30", "127.1.1.8/30", 1)]
    public void Constructor_ValidBlock_Normalised(string cidr, string expected, long capacity)
    {
        var network = new LoopbackPodNetwork(cidr);

        Assert.Equal(expected, network.Cidr);
        Assert.Equal(capacity, network.Capacity);
        Assert.Equal("loopback", network.Name);
    }

    [Theory]
    [InlineData("10.1.1.0/24", "pod CIDR '10.1.1.0/24' is not in 127.0.0.0/8: the loopback pod network hands out loopback addresses only; use a block such as 127.1.1.0/24, or the bridge network for routable pod addresses")]
    [InlineData("192.168.0.0/24", "pod CIDR '192.168.0.0/24' is not in 127.0.0.0/8")]
    [InlineData("126.0.0.0/7", "pod CIDR '126.0.0.0/7' has prefix /7: use /8 to /30 (/24 holds 253 pods)")]
    [InlineData("127.1.1.0/31", "pod CIDR '127.1.1.0/31' has prefix /31: use /8 to /30")]
    [InlineData("127.1.1.0", "pod CIDR '127.1.1.0' is not an IPv4 block: write ADDRESS/PREFIX, e.g. 127.1.1.0/24")]
    [InlineData("127.1.1.0/x", "pod CIDR '127.1.1.0/x' is not an IPv4 block")]
    [InlineData("::1/128", "pod CIDR '::1/128' is not an IPv4 block")]
    [InlineData("", "pod CIDR '' is not an IPv4 block")]
    public void Constructor_InvalidBlock_SaysWhatIsWrong(string cidr, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new LoopbackPodNetwork(cidr));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }
}
