using Granary.Grains.Services;
using Granary.Model;

namespace Granary.Tests.Unit.Services;

public class ServiceLoadBalancerTests
{
    private static Node Node(string name, string ip, string ready = "True", bool deleting = false) => new()
    {
        Metadata = new ObjectMeta { Name = name, DeletionTimestamp = deleting ? DateTimeOffset.UnixEpoch : null },
        Status = new NodeStatus
        {
            Conditions = [new NodeCondition { Type = "Ready", Status = ready }],
            Addresses = [new NodeAddress { Type = "InternalIP", Address = ip }, new NodeAddress { Type = "Hostname", Address = name }],
        },
    };

    [Fact]
    public void StatusFor_ReadyNodes_AreTheIngressInAddressOrder()
    {
        var status = ServiceLoadBalancer.StatusFor([Node("b", "127.0.0.51"), Node("a", "127.0.0.50"), Node("c", "127.0.0.52", ready: "Unknown"), Node("d", "127.0.0.53", deleting: true)]);

        Assert.Equal(["127.0.0.50", "127.0.0.51"], status.LoadBalancer!.Ingress!.Select(i => i.Ip));
        Assert.All(status.LoadBalancer.Ingress!, i => Assert.Equal("VIP", i.IpMode));
    }

    [Fact]
    public void StatusFor_NoReadyNode_IsAnEmptyIngress()
    {
        Assert.Empty(ServiceLoadBalancer.StatusFor([Node("a", "127.0.0.50", ready: "False")]).LoadBalancer!.Ingress!);
    }
}
