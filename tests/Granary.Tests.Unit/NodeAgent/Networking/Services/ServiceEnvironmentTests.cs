using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Networking.Services;

namespace Granary.Tests.Unit.NodeAgent.Networking.Services;

public class ServiceEnvironmentTests
{
    private static Service Svc(string ns, string name, string? clusterIp, params ServicePort[] ports) => new()
    {
        Metadata = new ObjectMeta { Namespace = ns, Name = name },
        Spec = new ServiceSpec { ClusterIP = clusterIp, Ports = [.. ports] },
    };

    private static ServiceTable Table(params Service[] services) =>
        new(true, "1", services.ToImmutableDictionary(ServiceKey.Of));

    private static Pod PodIn(string ns, bool? links = null) =>
        new() { Metadata = new ObjectMeta { Namespace = ns, Name = "p" }, Spec = new PodSpec { EnableServiceLinks = links } };

    private static Dictionary<string, string> For(Pod pod, ServiceTable table) =>
        ServiceEnvironment.For(pod, table).ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void A_service_gives_the_kubelets_variables_with_the_first_port_special_cased()
    {
        var web = Svc("shop", "web-front", "127.43.0.10",
            new ServicePort { Name = "http", Port = 80 }, new ServicePort { Name = "dns-udp", Port = 53, Protocol = "UDP" });

        var env = For(PodIn("shop"), Table(web));

        Assert.Equal(new Dictionary<string, string>
        {
            ["WEB_FRONT_SERVICE_HOST"] = "127.43.0.10",
            ["WEB_FRONT_SERVICE_PORT"] = "80",
            ["WEB_FRONT_SERVICE_PORT_HTTP"] = "80",
            ["WEB_FRONT_SERVICE_PORT_DNS_UDP"] = "53",
            ["WEB_FRONT_PORT"] = "tcp://127.43.0.10:80",
            ["WEB_FRONT_PORT_80_TCP"] = "tcp://127.43.0.10:80",
            ["WEB_FRONT_PORT_80_TCP_PROTO"] = "tcp",
            ["WEB_FRONT_PORT_80_TCP_PORT"] = "80",
            ["WEB_FRONT_PORT_80_TCP_ADDR"] = "127.43.0.10",
            ["WEB_FRONT_PORT_53_UDP"] = "udp://127.43.0.10:53",
            ["WEB_FRONT_PORT_53_UDP_PROTO"] = "udp",
            ["WEB_FRONT_PORT_53_UDP_PORT"] = "53",
            ["WEB_FRONT_PORT_53_UDP_ADDR"] = "127.43.0.10",
        }, env);
    }

    [Fact]
    public void Only_the_pods_namespace_and_the_master_service_count_and_headless_or_external_names_give_nothing()
    {
        var table = Table(
            Svc("default", "kubernetes", "127.43.0.1", new ServicePort { Name = "https", Port = 443 }),
            Svc("shop", "cart", "127.43.0.11", new ServicePort { Port = 8080 }),
            Svc("other", "billing", "127.43.0.12", new ServicePort { Port = 9090 }),
            Svc("shop", "db", "None", new ServicePort { Port = 5432 }),
            Svc("shop", "ext", null));

        var env = For(PodIn("shop"), table);

        Assert.Equal("127.43.0.1", env["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("443", env["KUBERNETES_SERVICE_PORT"]);
        Assert.Equal("127.43.0.11", env["CART_SERVICE_HOST"]);
        Assert.DoesNotContain("BILLING_SERVICE_HOST", env.Keys);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("DB_", StringComparison.Ordinal) || k.StartsWith("EXT_", StringComparison.Ordinal));
    }

    [Fact]
    public void EnableServiceLinks_false_keeps_only_the_master_service()
    {
        var table = Table(
            Svc("default", "kubernetes", "127.43.0.1", new ServicePort { Name = "https", Port = 443 }),
            Svc("shop", "cart", "127.43.0.11", new ServicePort { Port = 8080 }));

        var env = For(PodIn("shop", links: false), table);

        Assert.Contains("KUBERNETES_SERVICE_HOST", env.Keys);
        Assert.DoesNotContain("CART_SERVICE_HOST", env.Keys);
    }

    [Fact]
    public void A_kubernetes_service_in_the_pods_namespace_wins_over_the_masters()
    {
        var table = Table(
            Svc("default", "kubernetes", "127.43.0.1", new ServicePort { Port = 443 }),
            Svc("shop", "kubernetes", "127.43.0.99", new ServicePort { Port = 8443 }));

        Assert.Equal("127.43.0.99", For(PodIn("shop"), table)["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("127.43.0.1", For(PodIn("default"), table)["KUBERNETES_SERVICE_HOST"]);
    }

    [Fact]
    public void The_containers_own_env_wins_and_may_refer_to_service_variables()
    {
        var table = Table(Svc("shop", "cart", "127.43.0.11", new ServicePort { Port = 8080 }));
        var pod = PodIn("shop");
        var container = new Container
        {
            Name = "c",
            Env = [new EnvVar { Name = "CART_SERVICE_PORT", Value = "1" }, new EnvVar { Name = "URL", Value = "http://$(CART_SERVICE_HOST):8080" }],
        };

        var env = Granary.NodeAgent.Pods.ContainerEnvironment.Resolve(pod, container, "127.1.1.2", "127.0.0.1",
            new NoConfig(), ImmutableDictionary<string, Quantity>.Empty, ServiceEnvironment.For(pod, table)).Variables;

        Assert.Equal("1", env["CART_SERVICE_PORT"]);
        Assert.Equal("http://127.43.0.11:8080", env["URL"]);
        Assert.Equal("tcp://127.43.0.11:8080", env["CART_PORT"]);
    }

    private sealed class NoConfig : Granary.NodeAgent.Volumes.IPodConfigLookup
    {
        public ConfigMap? ConfigMap(string @namespace, string name) => null;

        public Secret? Secret(string @namespace, string name) => null;
    }
}
