using Granary.Cli.Output;
using Granary.Model;
using Granary.Printing;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

/// <summary>Service and Endpoints rows against what kubectl prints from kube-apiserver's printers.</summary>
public class ServiceTableTests
{
    private static Service Service(string name, string type, string? clusterIP, params ServicePort[] ports) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", CreationTimestamp = Now - TimeSpan.FromMinutes(5) },
        Spec = new ServiceSpec { Type = type, ClusterIP = clusterIP, ClusterIPs = clusterIP is null ? null : [clusterIP], Ports = [.. ports], Selector = Map(("app", name)) },
    };

    private static ServicePort Port(int port, int? nodePort = null, string protocol = "TCP") => new() { Port = port, NodePort = nodePort, Protocol = protocol };

    private static EndpointAddress Address(string ip) => new() { Ip = ip };

    [Fact]
    public void Render_Services_AsKubectlPrintsThem()
    {
        var services = new[]
        {
            Service("kubernetes", "ClusterIP", "10.43.0.1", Port(443)) with { Spec = new ServiceSpec { Type = "ClusterIP", ClusterIPs = ["10.43.0.1"], Ports = [Port(443)] } },
            Service("web", "NodePort", "10.43.12.7", Port(80, 30080), Port(53, 30053, "UDP")),
            Service("lb", "LoadBalancer", "10.43.3.3", Port(443, 31443)),
            Service("ext", "ExternalName", null) with { Spec = new ServiceSpec { Type = "ExternalName", ExternalName = "db.example.com" } },
            Service("headless", "ClusterIP", "None"),
        };

        var table = ResourceTables.Render(ResourceKinds.Service, services, new TableOptions(Wide: true), Now);

        Assert.Equal(
            """
            NAME         TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)                     AGE   SELECTOR
            kubernetes   ClusterIP      10.43.0.1    <none>           443/TCP                     5m    <none>
            web          NodePort       10.43.12.7   <none>           80:30080/TCP,53:30053/UDP   5m    app=web
            lb           LoadBalancer   10.43.3.3    <pending>        443:31443/TCP               5m    app=lb
            ext          ExternalName   <none>       db.example.com   <none>                      5m    <none>
            headless     ClusterIP      None         <none>           <none>                      5m    app=headless

            """.ReplaceLineEndings("\n"),
            table);
    }

    [Fact]
    public void ExternalIP_LoadBalancerIngressThenExternalIPs()
    {
        var lb = Service("lb", "LoadBalancer", "10.43.3.3", Port(80)) with
        {
            Status = new ServiceStatus { LoadBalancer = new LoadBalancerStatus { Ingress = [new() { Ip = "127.0.0.20" }, new() { Hostname = "lb.example.com" }] } },
        };

        Assert.Equal("127.0.0.20,lb.example.com", ServiceColumns.ExternalIP(lb));
        Assert.Equal("127.0.0.20,lb.example.com,127.0.0.30", ServiceColumns.ExternalIP(lb with { Spec = lb.Spec with { ExternalIPs = ["127.0.0.30"] } }));
    }

    [Fact]
    public void Endpoints_ListsThreeThenCountsTheRest_AsFormatEndpoints()
    {
        var endpoints = new Endpoints
        {
            Metadata = new ObjectMeta { Name = "web", CreationTimestamp = Now - TimeSpan.FromHours(2) },
            Subsets =
            [
                new EndpointSubset
                {
                    Addresses = [Address("127.1.0.2"), Address("127.1.0.3")],
                    NotReadyAddresses = [Address("127.1.0.9")],
                    Ports = [new EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }, new EndpointPort { Name = "metrics", Port = 9090, Protocol = "TCP" }],
                },
            ],
        };

        Assert.Equal("127.1.0.2:8080,127.1.0.3:8080,127.1.0.2:9090 + 1 more...", ServiceColumns.Endpoints(endpoints));
        Assert.Equal("127.1.0.2:9090,127.1.0.3:9090", ServiceColumns.Endpoints(endpoints, new HashSet<string> { "metrics" }));
        Assert.Equal("<none>", ServiceColumns.Endpoints(endpoints with { Subsets = null }));
        Assert.Equal(
            """
            NAME   ENDPOINTS                                                  AGE
            web    127.1.0.2:8080,127.1.0.3:8080,127.1.0.2:9090 + 1 more...   120m

            """.ReplaceLineEndings("\n"),
            ResourceTables.Render(ResourceKinds.Endpoints, [endpoints], new TableOptions(), Now));
    }

    [Fact]
    public void EndpointSliceCells_AsFormatDiscoveryPortsAndEndpoints()
    {
        var slice = new EndpointSlice
        {
            Metadata = new ObjectMeta { Name = "web-abcde", CreationTimestamp = Now - TimeSpan.FromMinutes(5) },
            Endpoints = [.. Enumerable.Range(2, 4).Select(i => new SliceEndpoint { Addresses = [$"127.1.0.{i}"] })],
            Ports = [new SlicePort { Name = "http", Port = 8080 }, new SlicePort { Name = "dns" }],
        };

        var table = ResourceTables.Render(ResourceKinds.EndpointSlice, [slice, new EndpointSlice { Metadata = slice.Metadata with { Name = "empty" } }], new TableOptions(), Now);

        Assert.Equal(
            """
            NAME        ADDRESSTYPE   PORTS      ENDPOINTS                                   AGE
            web-abcde   IPv4          8080,dns   127.1.0.2,127.1.0.3,127.1.0.4 + 1 more...   5m
            empty       IPv4          <unset>    <unset>                                     5m

            """.ReplaceLineEndings("\n"),
            table);
    }
}
