using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Hosting.Hollow;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.NodeAgent.Hosting;

public class HollowNodeTests
{
    [Theory]
    [InlineData(0, "hollow-00000", "127.3.0.1", "127.64.0.0/24")]
    [InlineData(254, "hollow-00254", "127.3.0.255", "127.64.254.0/24")]
    [InlineData(255, "hollow-00255", "127.3.1.0", "127.64.255.0/24")]
    [InlineData(999, "hollow-00999", "127.3.3.232", "127.67.231.0/24")]
    [InlineData(16383, "hollow-16383", "127.3.64.0", "127.127.255.0/24")]
    public void Addresses_NodeIndex_NameAddressAndPodBlockInTheHollowRanges(int index, string name, string ip, string cidr)
    {
        Assert.Equal(name, HollowNodeAddresses.Name("hollow-", index));
        Assert.Equal(ip, HollowNodeAddresses.NodeIp(index));
        Assert.Equal(cidr, HollowNodeAddresses.PodCidr(index));
    }

    [Fact]
    public void Addresses_BeyondThePodBlocks_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HollowNodeAddresses.PodCidr(16384));
        Assert.Throws<ArgumentOutOfRangeException>(() => HollowNodeAddresses.NodeIp(-1));
    }

    [Fact]
    public void ForNode_CopiesTheTemplate_WithTheNodesOwnIdentityAndNoServerPort()
    {
        var template = new AgentSettings { Redis = "127.0.0.1:6379", StateDir = "/tmp/h", MaxPods = 200, HollowNodes = 10, HollowPrefix = "x-", HollowFirst = 5 };

        var settings = HollowNodeProgram.ForNode(template, 7);

        Assert.Equal(("x-00007", "127.3.0.8", "127.64.7.0/24", "/tmp/h/x-00007", 0, 0), (settings.EffectiveNodeName, settings.NodeIp, settings.PodCidr, settings.StateDir, settings.ServerPort, settings.HollowNodes));
        Assert.Equal(("127.0.0.1:6379", 200), (settings.Redis, settings.MaxPods));
        Assert.Equal((10, 10250), (template.HollowNodes, template.ServerPort));
    }

    [Fact]
    public async Task HollowNode_TwoInOneProcess_KeepTheirOwnIdentityAndLink()
    {
        var template = new AgentSettings { StateDir = Path.Combine(Path.GetTempPath(), "hollow-unit"), HollowPrefix = "h-" };
        var connector = new UnreachableControlPlane();
        await using var first = new HollowNode(HollowNodeProgram.ForNode(template, 0), connector, NullLoggerFactory.Instance, TimeProvider.System);
        await using var second = new HollowNode(HollowNodeProgram.ForNode(template, 1), connector, NullLoggerFactory.Instance, TimeProvider.System);

        Assert.Equal(("h-00000", "h-00001"), (first.Name, second.Name));
        Assert.Equal(("h-00000", "h-00001"), (first.Link.NodeName, second.Link.NodeName));
        Assert.NotSame(first.Link, second.Link);
    }

    private sealed class UnreachableControlPlane : IControlPlaneConnector
    {
        public string Describe() => "nowhere";

        public Task<Granary.Client.GranaryClient> ConnectAsync(CancellationToken ct) => throw new Granary.Client.GranaryConnectException("unreachable in this test");
    }
}
