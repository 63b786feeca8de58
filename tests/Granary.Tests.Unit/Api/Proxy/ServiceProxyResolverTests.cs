using Granary.Errors;
using Granary.Model;
using Granary.Silo.Api.Proxy;

namespace Granary.Tests.Unit.Api.Proxy;

/// <summary>Which endpoints of a Service the proxy may use, and how a requested port names the endpoint port.</summary>
public class ServiceProxyResolverTests
{
    private static readonly Service Web = new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default" },
        Spec = new ServiceSpec { Ports = [new ServicePort { Name = "http", Port = 80 }, new ServicePort { Name = "metrics", Port = 9090 }] },
    };

    [Theory]
    [InlineData("", "")]
    [InlineData("http", "http")]
    [InlineData("80", "http")]
    [InlineData("9090", "metrics")]
    public void PortName_NumberOrName_NamesTheEndpointPort(string port, string expected) =>
        Assert.Equal(expected, ServiceProxyResolver.PortName(Web, new ProxyTargetId("http", "web", port)));

    [Fact]
    public void PortName_UnknownNumber_IsServiceUnavailable_AsKube()
    {
        var e = Assert.Throws<ServiceUnavailableException>(() => ServiceProxyResolver.PortName(Web, new ProxyTargetId("http", "web", "81")));
        Assert.Equal("no service port 81 found for service \"web\"", e.Message);
    }

    [Fact]
    public void Candidates_OnlyReadyPodEndpointsWithThePort_InSliceOrder()
    {
        static SliceEndpoint Endpoint(string ip, string pod, bool? ready) => new()
        {
            Addresses = [ip],
            Conditions = new EndpointConditions { Ready = ready },
            TargetRef = new ObjectReference { Kind = "Pod", Namespace = "default", Name = pod },
        };
        var b = new EndpointSlice
        {
            Metadata = new ObjectMeta { Name = "web-b" },
            Ports = [new SlicePort { Name = "http", Port = 8080 }],
            Endpoints = [Endpoint("127.1.60.3", "web-3", ready: true), Endpoint("127.1.60.4", "web-4", ready: false)],
        };
        var a = new EndpointSlice
        {
            Metadata = new ObjectMeta { Name = "web-a" },
            Ports = [new SlicePort { Name = "http", Port = 8080 }],
            Endpoints =
            [
                Endpoint("127.1.60.2", "web-2", ready: null),
                new SliceEndpoint { Addresses = ["127.0.0.9"], Conditions = new EndpointConditions { Ready = true } },
            ],
        };
        var other = new EndpointSlice
        {
            Metadata = new ObjectMeta { Name = "web-c" },
            Ports = [new SlicePort { Name = "metrics", Port = 9090 }],
            Endpoints = [Endpoint("127.1.60.5", "web-5", ready: true)],
        };

        var candidates = ServiceProxyResolver.Candidates([b, other, a], "http");

        Assert.Equal([("127.1.60.2", 8080, "web-2"), ("127.1.60.3", 8080, "web-3")], candidates.Select(c => (c.Address, c.Port, c.Pod.Name!)));
    }
}
