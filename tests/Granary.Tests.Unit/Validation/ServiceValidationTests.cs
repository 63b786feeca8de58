using Granary.Grains.Validation;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Tests.Unit.Validation;

public class ServiceValidationTests
{
    private static Service Valid() => ServiceDefaults.Apply(new Service
    {
        Metadata = new() { Name = "web", Namespace = "default" },
        Spec = new()
        {
            Selector = TestPods.Labels(("app", "web")),
            Ports = [new() { Name = "http", Port = 80, TargetPort = "http" }, new() { Name = "metrics", Port = 9090 }],
        },
    });

    private static Case<Func<Service, Service>> Row(string name, Func<Service, Service> change, params string[] expected) => new(name, change, expected);

    private static Func<Service, Service> Spec(Func<ServiceSpec, ServiceSpec> change) => s => s with { Spec = change(s.Spec) };

    public static TheoryData<Case<Func<Service, Service>>> Services => new()
    {
        Row("valid", s => s),
        Row("headless without ports", Spec(p => p with { ClusterIP = "None", ClusterIPs = ["None"], Ports = null })),
        Row("no ports", Spec(p => p with { Ports = null }), "spec.ports: Required value"),
        Row("name not a DNS-1035 label", s => s with { Metadata = s.Metadata with { Name = "1web" } },
            "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"),
        Row("unnamed port among several", Spec(p => p with { Ports = p.Ports!.SetItem(1, p.Ports[1] with { Name = null }) }), "spec.ports[1].name: Required value"),
        Row("duplicate port name", Spec(p => p with { Ports = p.Ports!.SetItem(1, p.Ports[1] with { Name = "http" }) }), "spec.ports[1].name: Duplicate value: \"http\""),
        Row("port out of range", Spec(p => p with { Ports = p.Ports!.SetItem(0, p.Ports[0] with { Port = 70000 }) }),
            "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"),
        Row("duplicate port and protocol", Spec(p => p with { Ports = p.Ports!.SetItem(1, p.Ports[1] with { Port = 80 }) }),
            "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"),
        Row("bad protocol", Spec(p => p with { Ports = p.Ports!.SetItem(0, p.Ports[0] with { Protocol = "HTTP" }) }),
            "spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
        Row("node port on a ClusterIP service", Spec(p => p with { Ports = p.Ports!.SetItem(0, p.Ports[0] with { NodePort = 30080 }) }),
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
        Row("unknown type", Spec(p => p with { Type = "Ingress" }),
            "spec.type: Unsupported value: \"Ingress\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""),
        Row("cluster IP not an address", Spec(p => p with { ClusterIP = "ten", ClusterIPs = ["ten"] }),
            "spec.clusterIPs[0]: Invalid value: \"ten\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
        Row("headless NodePort", s => ServiceDefaults.Apply(Spec(p => p with { Type = "NodePort", ClusterIP = "None", ClusterIPs = ["None"] })(s)),
            "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"),
        Row("ExternalName without a name", Spec(p => new ServiceSpec { Type = "ExternalName", SessionAffinity = "None" }), "spec.externalName: Required value"),
        Row("external traffic policy on ClusterIP", Spec(p => p with { ExternalTrafficPolicy = "Local" }),
            "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set when `type` is 'NodePort' or 'LoadBalancer'"),
        Row("bad session affinity", Spec(p => p with { SessionAffinity = "Cookie" }),
            "spec.sessionAffinity: Unsupported value: \"Cookie\": supported values: \"ClientIP\", \"None\""),
    };

    [Theory, MemberData(nameof(Services))]
    public void Validate_ReportsEachProblemWithItsFieldPath(Case<Func<Service, Service>> row)
    {
        var errors = ServiceValidation.Validate(row.Input(Valid())).Select(e => e.ToString());

        Assert.Equal(row.Expected, errors);
    }

    [Fact]
    public void Defaults_AsKubernetesFillsThem()
    {
        var service = Valid();

        Assert.Equal(("ClusterIP", "None", "Cluster", "SingleStack"), (service.Spec.Type, service.Spec.SessionAffinity, service.Spec.InternalTrafficPolicy, service.Spec.IpFamilyPolicy));
        Assert.Equal(["IPv4"], service.Spec.IpFamilies!);
        Assert.Equal("TCP", service.Spec.Ports![1].Protocol);
        Assert.Equal(9090, service.Spec.Ports[1].TargetPort!.Value.IntValue);
        Assert.Equal("http", service.Spec.Ports[0].TargetPort!.Value.StringValue);
        Assert.Null(service.Spec.ExternalTrafficPolicy);
        Assert.Equal(GranaryJson.SerializeResource(service), GranaryJson.SerializeResource(ServiceDefaults.Apply(service)));

        var nodePort = ServiceDefaults.Apply(service with { Spec = service.Spec with { Type = "LoadBalancer", SessionAffinity = "ClientIP" } });
        Assert.Equal(("Cluster", true, 10800), (nodePort.Spec.ExternalTrafficPolicy, nodePort.Spec.AllocateLoadBalancerNodePorts, nodePort.Spec.SessionAffinityConfig!.ClientIP!.TimeoutSeconds));
    }

    [Fact]
    public void Defaults_ZeroAndFalseInPlainKubernetesFields_AreUnset()
    {
        // What a client sends for fields that are plain values in Kubernetes: 0 and false mean "not set".
        var service = ServiceDefaults.Apply(Valid() with
        {
            Spec = Valid().Spec with
            {
                Ports = [new() { Port = 80, TargetPort = 0, NodePort = 0 }],
                HealthCheckNodePort = 0,
                PublishNotReadyAddresses = false,
            },
        });

        Assert.Equal((80, (int?)null), (service.Spec.Ports![0].TargetPort!.Value.IntValue, service.Spec.Ports[0].NodePort));
        Assert.Equal(((int?)null, (bool?)null), (service.Spec.HealthCheckNodePort, service.Spec.PublishNotReadyAddresses));
    }

    [Fact]
    public void ValidateUpdate_ClusterIPMayNotChange()
    {
        var old = Valid() with { Spec = Valid().Spec with { ClusterIP = "10.43.0.10", ClusterIPs = ["10.43.0.10"] } };
        var changed = old with { Spec = old.Spec with { ClusterIP = "10.43.0.11", ClusterIPs = ["10.43.0.11"] } };

        Assert.Equal(
            [
                "spec.clusterIPs[0]: Invalid value: []string{\"10.43.0.11\"}: may not change once set",
                "spec.clusterIP: Invalid value: \"10.43.0.11\": field is immutable",
            ],
            ServiceValidation.ValidateUpdate(old, changed).Select(e => e.ToString()));
        Assert.Empty(ServiceValidation.ValidateUpdate(old, old));
    }
}
