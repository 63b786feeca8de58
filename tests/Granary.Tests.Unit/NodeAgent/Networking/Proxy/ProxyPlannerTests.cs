using System.Collections.Immutable;
using System.Net;
using Granary.Model;
using Granary.NodeAgent.Networking.Proxy;
using Granary.NodeAgent.Networking.Services;

namespace Granary.Tests.Unit.NodeAgent.Networking.Proxy;

public class ProxyPlannerTests
{
    private static readonly ProxyNode Node = new("n1", [IPAddress.Parse("127.0.0.41")], ServiceInterface: null);

    private static Service Svc(string name, string? clusterIP, string? type = null, Func<ServiceSpec, ServiceSpec>? change = null, params ServicePort[] ports)
    {
        var spec = new ServiceSpec { Type = type, ClusterIP = clusterIP, Ports = [.. ports] };
        return new Service { Metadata = new ObjectMeta { Name = name, Namespace = "default" }, Spec = change is null ? spec : change(spec) };
    }

    private static ServicePort Port(int port, string? name = null, string protocol = "TCP", int? nodePort = null, IntOrString? target = null) =>
        new() { Name = name, Port = port, Protocol = protocol, NodePort = nodePort, TargetPort = target ?? port };

    private static ServiceTable Table(params Service[] services) =>
        new(true, "1", services.ToImmutableDictionary(ServiceKey.Of, s => s));

    private static SliceEndpoint Endpoint(string ip, string node = "n1", bool? ready = true, bool? serving = null, bool? terminating = null) =>
        new() { Addresses = [ip], NodeName = node, Conditions = new EndpointConditions { Ready = ready, Serving = serving, Terminating = terminating } };

    private static ServiceEndpoints Slices(string service, params EndpointSlice[] slices) => new(new ServiceKey("default", service), [.. slices]);

    private static EndpointSlice Slice(ImmutableList<SlicePort>? ports, params SliceEndpoint[] endpoints) => new() { Ports = ports, Endpoints = [.. endpoints] };

    [Fact]
    public void Plan_LoopbackClusterIP_ListensOnEachPortWithItsProtocol()
    {
        var plan = ProxyPlanner.Plan(Table(Svc("dns", "127.140.0.10", ports: [Port(53, "dns", "UDP"), Port(53, "dns-tcp", "TCP")])), Node);

        Assert.Equal(["127.140.0.10:53/UDP", "127.140.0.10:53/TCP"], plan.Listeners.Select(l => l.Address.ToString()));
        Assert.All(plan.Listeners, l => Assert.Equal(ListenerRole.ClusterIP, l.Role));
        Assert.Empty(plan.Unreachable);
        Assert.Empty(plan.InterfaceAddresses);
    }

    [Fact]
    public void Plan_NonLoopbackClusterIPWithoutInterface_IsUnreachableButNodePortsStillListen()
    {
        var plan = ProxyPlanner.Plan(Table(Svc("web", "10.43.0.20", ServiceTypes.NodePort, ports: [Port(80, nodePort: 30080)])), Node);

        Assert.Equal(["127.0.0.41:30080/TCP"], plan.Listeners.Select(l => l.Address.ToString()));
        var unreachable = Assert.Single(plan.Unreachable);
        Assert.Equal("10.43.0.20", unreachable.ClusterIP);
        Assert.Contains("--service-interface", unreachable.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NonLoopbackClusterIPWithInterface_PutsTheAddressOnTheInterface()
    {
        var plan = ProxyPlanner.Plan(Table(Svc("web", "10.43.0.20", ports: [Port(80)])), Node with { ServiceInterface = "granary-svc0" });

        Assert.Equal(["10.43.0.20:80/TCP"], plan.Listeners.Select(l => l.Address.ToString()));
        Assert.Equal(["10.43.0.20"], plan.InterfaceAddresses.Select(a => a.ToString()));
        Assert.Empty(plan.Unreachable);
    }

    [Fact]
    public void Plan_HeadlessExternalNameAndSctp_GetNoListeners()
    {
        var plan = ProxyPlanner.Plan(Table(
            Svc("headless", Service.ClusterIPNone, ports: [Port(80)]),
            Svc("external", null, ServiceTypes.ExternalName, s => s with { ExternalName = "example.org" }),
            Svc("sctp", "127.140.0.30", ports: [Port(9, protocol: "SCTP")])), Node);

        Assert.Empty(plan.Listeners);
        Assert.Empty(plan.Unreachable);
    }

    [Fact]
    public void Plan_LoadBalancer_ListensOnClusterIPNodePortsAndTheServicePortOfEachNodeAddress()
    {
        var plan = ProxyPlanner.Plan(Table(Svc("lb", "127.140.0.40", ServiceTypes.LoadBalancer, ports: [Port(443, "https", nodePort: 31443)])), Node);

        Assert.Equal(["127.140.0.40:443/TCP", "127.0.0.41:31443/TCP", "127.0.0.41:443/TCP"], plan.Listeners.Select(l => l.Address.ToString()));
        Assert.Equal([ListenerRole.ClusterIP, ListenerRole.NodePort, ListenerRole.NodePort], plan.Listeners.Select(l => l.Role));
        Assert.All(plan.Listeners, l => Assert.Equal("https", l.PortName));
    }

    [Fact]
    public void Plan_TrafficPoliciesAndAffinity_ApplyToTheirListeners()
    {
        var plan = ProxyPlanner.Plan(Table(Svc("web", "127.140.0.50", ServiceTypes.NodePort,
            s => s with
            {
                InternalTrafficPolicy = "Local",
                ExternalTrafficPolicy = "Cluster",
                SessionAffinity = "ClientIP",
                SessionAffinityConfig = new SessionAffinityConfig { ClientIP = new ClientIPConfig { TimeoutSeconds = 60 } },
            }, Port(80, nodePort: 30081))), Node);

        var clusterIP = plan.Listeners.Single(l => l.Role == ListenerRole.ClusterIP);
        var nodePort = plan.Listeners.Single(l => l.Role == ListenerRole.NodePort);
        Assert.True(clusterIP.LocalEndpointsOnly);
        Assert.False(nodePort.LocalEndpointsOnly);
        Assert.Equal(TimeSpan.FromSeconds(60), clusterIP.AffinityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), nodePort.AffinityTimeout);
    }

    [Fact]
    public void Plan_ClientIPAffinityWithoutTimeout_UsesThreeHours()
    {
        var plan = ProxyPlanner.Plan(Table(Svc("web", "127.140.0.51", change: s => s with { SessionAffinity = "ClientIP" }, ports: Port(80))), Node);

        Assert.Equal(TimeSpan.FromSeconds(10800), Assert.Single(plan.Listeners).AffinityTimeout);
    }

    [Fact]
    public void Plan_SameAddressTwice_FirstServiceInKeyOrderKeepsIt()
    {
        var plan = ProxyPlanner.Plan(Table(Svc("b", "127.140.0.60", ports: Port(80)), Svc("a", "127.140.0.60", ports: Port(80))), Node);

        Assert.Equal("a", Assert.Single(plan.Listeners).Service.Name);
    }

    private static ProxyListener Listener(string portName = "", IntOrString? target = null, bool local = false) =>
        new(new ListenerAddress(new IPEndPoint(IPAddress.Parse("127.140.0.1"), 80), ProxyProtocol.Tcp), ListenerRole.ClusterIP,
            new ServiceKey("default", "web"), portName, target ?? 8080, local, null);

    [Fact]
    public void Backends_ReadyEndpoints_UseTheSlicePortOfTheSameName()
    {
        var endpoints = Slices("web", Slice([new SlicePort { Name = "http", Port = 8080, Protocol = "TCP" }, new SlicePort { Name = "admin", Port = 9090, Protocol = "TCP" }],
            Endpoint("127.1.40.1"), Endpoint("127.1.40.2", ready: null), Endpoint("127.1.40.3", ready: false)));

        var backends = ProxyPlanner.Backends(Listener("http", target: "web-port"), endpoints, "n1");

        Assert.Equal(["127.1.40.1:8080", "127.1.40.2:8080"], backends.Select(b => b.ToString()));
    }

    [Fact]
    public void Backends_SliceWithoutThePortName_IsSkipped()
    {
        var endpoints = Slices("web", Slice([new SlicePort { Name = "other", Port = 8080, Protocol = "TCP" }], Endpoint("127.1.40.1")));

        Assert.Empty(ProxyPlanner.Backends(Listener("http"), endpoints, "n1"));
    }

    [Fact]
    public void Backends_SliceWithoutPorts_UsesANumericTargetPort()
    {
        var endpoints = Slices("web", Slice(null, Endpoint("127.0.0.1")));

        Assert.Equal(["127.0.0.1:7000"], ProxyPlanner.Backends(Listener(target: 7000), endpoints, "n1").Select(b => b.ToString()));
        Assert.Empty(ProxyPlanner.Backends(Listener(target: "named"), endpoints, "n1"));
    }

    [Fact]
    public void Backends_NoneReady_FallsBackToServingTerminating()
    {
        var endpoints = Slices("web", Slice([new SlicePort { Name = "", Port = 8080 }],
            Endpoint("127.1.40.1", ready: false, serving: true, terminating: true),
            Endpoint("127.1.40.2", ready: false, serving: false, terminating: true)));

        Assert.Equal(["127.1.40.1:8080"], ProxyPlanner.Backends(Listener(), endpoints, "n1").Select(b => b.ToString()));
    }

    [Fact]
    public void Backends_SomeReady_ExcludeTerminating()
    {
        var endpoints = Slices("web", Slice([new SlicePort { Name = "", Port = 8080 }],
            Endpoint("127.1.40.1", ready: false, serving: true, terminating: true),
            Endpoint("127.1.40.2")));

        Assert.Equal(["127.1.40.2:8080"], ProxyPlanner.Backends(Listener(), endpoints, "n1").Select(b => b.ToString()));
    }

    [Fact]
    public void Backends_LocalPolicy_KeepsOnlyThisNodesEndpoints()
    {
        var endpoints = Slices("web", Slice([new SlicePort { Name = "", Port = 8080 }], Endpoint("127.1.40.1", node: "n1"), Endpoint("127.1.41.1", node: "n2")));

        Assert.Equal(["127.1.40.1:8080"], ProxyPlanner.Backends(Listener(local: true), endpoints, "n1").Select(b => b.ToString()));
        Assert.Equal(2, ProxyPlanner.Backends(Listener(local: false), endpoints, "n1").Length);
        Assert.Empty(ProxyPlanner.Backends(Listener(local: true), endpoints, "n3"));
    }

    [Fact]
    public void Backends_DuplicateAddressesAcrossSlicesAndIPv6Slices_AreDropped()
    {
        var ports = ImmutableList.Create(new SlicePort { Name = "", Port = 8080 });
        var endpoints = Slices("web", Slice(ports, Endpoint("127.1.40.1")), Slice(ports, Endpoint("127.1.40.1")),
            new EndpointSlice { AddressType = "IPv6", Ports = ports, Endpoints = [Endpoint("::1")] });

        Assert.Equal(["127.1.40.1:8080"], ProxyPlanner.Backends(Listener(), endpoints, "n1").Select(b => b.ToString()));
    }
}
