using System.Collections.Immutable;
using Granary.Grains.Services;
using Granary.Model;

namespace Granary.Tests.Unit.Services;

public class EndpointsPlannerTests
{
    private static Service Service(bool publishNotReady = false, string? clusterIP = null, params ServicePort[] ports) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default", Labels = ImmutableSortedDictionary.CreateRange([new KeyValuePair<string, string>("tier", "front")]) },
        Spec = new ServiceSpec
        {
            Selector = ImmutableSortedDictionary.CreateRange([new KeyValuePair<string, string>("app", "web")]),
            ClusterIP = clusterIP,
            PublishNotReadyAddresses = publishNotReady,
            Ports = [.. ports],
        },
    };

    private static ServicePort Port(string? name, int port, IntOrString target) => new() { Name = name, Port = port, TargetPort = target, Protocol = "TCP" };

    private static Pod Pod(string name, string? ip, bool ready = true, string phase = "Running", bool deleting = false, int? httpPort = 8080) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Uid = $"uid-{name}", DeletionTimestamp = deleting ? DateTimeOffset.UnixEpoch : null },
        Spec = new PodSpec
        {
            NodeName = "n1",
            Containers = [new Container { Name = "c", Ports = httpPort is { } p ? [new ContainerPort { Name = "http", Number = p, Protocol = "TCP" }] : null }],
        },
        Status = new PodStatus
        {
            Phase = phase,
            PodIP = ip,
            Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };

    private static string Describe(Endpoints e) => string.Join(" | ", (e.Subsets ?? []).Select(s =>
        $"ready=[{string.Join(",", (s.Addresses ?? []).Select(a => a.Ip))}] notReady=[{string.Join(",", (s.NotReadyAddresses ?? []).Select(a => a.Ip))}] ports=[{string.Join(",", (s.Ports ?? []).Select(p => $"{p.Name}:{p.Port}/{p.Protocol}"))}]"));

    [Fact]
    public void Plan_ReadyPodsAreAddresses_NotReadyApart_FinishedDeletingAndAddresslessLeftOut()
    {
        var pods = new[]
        {
            Pod("b", "127.1.0.3"),
            Pod("a", "127.1.0.2"),
            Pod("starting", "127.1.0.4", ready: false),
            Pod("done", "127.1.0.5", phase: "Succeeded"),
            Pod("going", "127.1.0.6", deleting: true),
            Pod("pending", null),
        };

        var endpoints = EndpointsPlanner.Plan(Service(ports: Port("http", 80, "http")), pods);

        Assert.Equal("ready=[127.1.0.2,127.1.0.3] notReady=[127.1.0.4] ports=[http:8080/TCP]", Describe(endpoints));
        Assert.Equal("web", endpoints.Metadata.Name);
        Assert.Equal("front", endpoints.Metadata.Labels!["tier"]);
        var address = endpoints.Subsets![0].Addresses![0];
        Assert.Equal(("Pod", "a", "uid-a", "n1"), (address.TargetRef!.Kind, address.TargetRef.Name, address.TargetRef.Uid, address.NodeName));
    }

    [Fact]
    public void Plan_PublishNotReadyAddresses_ListsEveryPodWithAnAddressAsReady()
    {
        var endpoints = EndpointsPlanner.Plan(Service(publishNotReady: true, ports: Port(null, 80, 9000)), [Pod("a", "127.1.0.2"), Pod("b", "127.1.0.3", ready: false)]);

        Assert.Equal("ready=[127.1.0.2,127.1.0.3] notReady=[] ports=[:9000/TCP]", Describe(endpoints));
    }

    [Fact]
    public void Plan_NamedTargetPort_ResolvedPerPod_PodsWithoutItLeftOut_DifferentPortsInSubsetsOfTheirOwn()
    {
        var pods = new[] { Pod("a", "127.1.0.2", httpPort: 8080), Pod("b", "127.1.0.3", httpPort: 9090), Pod("c", "127.1.0.4", httpPort: null) };

        var endpoints = EndpointsPlanner.Plan(Service(ports: Port("http", 80, "http")), pods);

        Assert.Equal("ready=[127.1.0.2] notReady=[] ports=[http:8080/TCP] | ready=[127.1.0.3] notReady=[] ports=[http:9090/TCP]", Describe(endpoints));
    }

    [Fact]
    public void Plan_NoPods_HasNoSubsets_AndHeadlessIsLabelled()
    {
        var endpoints = EndpointsPlanner.Plan(Service(clusterIP: "None"), []);

        Assert.Null(endpoints.Subsets);
        Assert.Equal("", endpoints.Metadata.Labels![EndpointsPlanner.HeadlessLabel]);
    }

    [Fact]
    public void Plan_HeadlessWithoutPorts_ListsBareAddresses()
    {
        var endpoints = EndpointsPlanner.Plan(Service(clusterIP: "None"), [Pod("a", "127.1.0.2")]);

        Assert.Equal("ready=[127.1.0.2] notReady=[] ports=[]", Describe(endpoints));
    }

    [Fact]
    public void PlanSlices_OneSlicePerPortSet_WithConditions_LabelledAndOwnedByTheService()
    {
        var service = Service(ports: Port("http", 80, "http")) with { Metadata = Service().Metadata with { Uid = "svc-uid" } };
        var pods = new[] { Pod("a", "127.1.0.2"), Pod("b", "127.1.0.3", ready: false), Pod("c", "127.1.0.4", httpPort: 9090), Pod("d", "127.1.0.5", deleting: true) };

        var slices = EndpointSlicePlanner.Plan(service, pods);

        Assert.Equal(2, slices.Count);
        var main = slices.Single(s => s.Ports![0].Port == 8080);
        Assert.Equal(
            ["127.1.0.2 ready=True serving=True terminating=False", "127.1.0.3 ready=False serving=False terminating=False", "127.1.0.5 ready=False serving=True terminating=True"],
            main.Endpoints!.Select(e => $"{e.Addresses[0]} ready={e.Conditions!.Ready} serving={e.Conditions.Serving} terminating={e.Conditions.Terminating}"));
        Assert.Equal("http", main.Ports![0].Name);
        Assert.Equal("web", main.Metadata.Labels![EndpointSlice.ServiceNameLabel]);
        Assert.Equal(("Service", "svc-uid", true), (main.Metadata.OwnerReferences![0].Kind, main.Metadata.OwnerReferences[0].Uid, main.Metadata.OwnerReferences[0].Controller));
        Assert.StartsWith("web-", main.Metadata.Name);
        Assert.NotEqual(slices[0].Metadata.Name, slices[1].Metadata.Name);
        Assert.Equal(main.Metadata.Name, EndpointSlicePlanner.Plan(service, pods.Take(1)).Single().Metadata.Name);
    }

    // kube's OpenAPI marks endpoints required, so the empty slice carries "endpoints": [].
    [Fact]
    public void PlanSlices_NoPods_KeepsOneEmptySlice()
    {
        var slice = Assert.Single(EndpointSlicePlanner.Plan(Service(ports: Port(null, 80, 8080)), []));

        Assert.Empty(slice.Endpoints);
        Assert.Null(slice.Ports);
    }
}
