using System.Net;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Networking;

/// <summary>
/// Two nodes (blocks 45 and 46) with the services' range 127.145.0.0/16; the agents forward outside names to a fake
/// upstream on 127.0.0.59 and read the host's resolv.conf from a file of the test's own.
/// </summary>
public sealed class ClusterDnsCluster() : MultiNodeCluster([new ClusterNode("dns-a", 45), new ClusterNode("dns-b", 46)], "--service-cidr", "127.145.0.0/16"), IAsyncLifetime
{
    public const string OutsideName = "outside.example";
    public const string OutsideAddress = "127.0.0.99";

    private readonly string _hostResolvConf = Path.Combine(Path.GetTempPath(), $"granary-dns-{Guid.NewGuid():N}.conf");

    public FakeUpstreamDns Upstream { get; } = new(IPAddress.Parse("127.0.0.59"), new Dictionary<string, string> { [OutsideName] = OutsideAddress });

    protected override bool StartAgentsAtStart => false;

    async Task IAsyncLifetime.InitializeAsync()
    {
        File.WriteAllText(_hostResolvConf, "nameserver 127.0.0.58\nsearch host.example\noptions edns0\n");
        await InitializeAsync();
        var environment = new Dictionary<string, string>
        {
            ["GRANARY_DNSUPSTREAM"] = Upstream.Endpoint.ToString(),
            ["GRANARY_RESOLVCONF"] = _hostResolvConf,
        };
        await Task.WhenAll(StartAgentAsync("dns-a", environment), StartAgentAsync("dns-b", environment));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Upstream.Dispose();
        File.Delete(_hostResolvConf);
    }
}

/// <summary>
/// Cluster DNS end to end: pods on two agents (private dockerd, busybox) ask their node's DNS server, through the
/// resolv.conf the agent mounted, for a Service's cluster IP, a headless Service's pods, SRV records, StatefulSet-style
/// pod names, an ExternalName and an outside name (answered by the fake upstream); dnsPolicy None gets only its dnsConfig.
/// </summary>
public sealed class ClusterDnsTests(ClusterDnsCluster cluster) : IClassFixture<ClusterDnsCluster>
{
    private const string Manifests = """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db}
        spec:
          clusterIP: None
          selector: {app: db}
          ports: [{name: pg, port: 5432}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ext}
        spec:
          type: ExternalName
          externalName: outside.example
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db-0, labels: {app: db}}
        spec:
          hostname: db-0
          subdomain: db
          nodeName: dns-a
          terminationGracePeriodSeconds: 1
          containers: [{name: main, image: local/busybox:1, command: [sleep, "3600"], ports: [{containerPort: 5432}]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db-1, labels: {app: db}}
        spec:
          hostname: db-1
          subdomain: db
          nodeName: dns-b
          terminationGracePeriodSeconds: 1
          containers: [{name: main, image: local/busybox:1, command: [sleep, "3600"], ports: [{containerPort: 5432}]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client}
        spec:
          nodeName: dns-b
          terminationGracePeriodSeconds: 1
          containers: [{name: main, image: local/busybox:1, command: [sleep, "3600"]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: custom}
        spec:
          nodeName: dns-a
          dnsPolicy: None
          dnsConfig:
            nameservers: [127.0.0.55]
            searches: [custom.example]
            options: [{name: ndots, value: "2"}, {name: edns0}]
          terminationGracePeriodSeconds: 1
          containers: [{name: main, image: local/busybox:1, command: [sleep, "3600"]}]
        """;

    private CliResult Ok(CliResult r, string phase) =>
        r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"{phase}: expected success: {r}\n{cluster.RecentOutput()}");

    private async Task<string> ExecAsync(string pod, string phase, params string[] command) =>
        Ok(await cluster.Kubectl.RunAsync(["exec", pod, "--", .. command]), phase).Stdout;

    [Fact]
    public async Task Pods_ResolveServicesPodsAndOutsideNames_ThroughTheirNodesDns()
    {
        var kubectl = cluster.Kubectl;
        Ok(await kubectl.RunWithStdinAsync(Manifests, "apply", "-f", "-"), "creating the services and pods");
        Ok(await kubectl.RunAsync("wait", "--for=condition=Ready", "pod/db-0", "pod/db-1", "pod/client", "pod/custom", "--timeout=60s"), "the pods start");
        var webIp = Ok(await kubectl.RunAsync("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}"), "the web service's cluster IP").Stdout;
        Assert.StartsWith("127.145.", webIp, StringComparison.Ordinal);
        var db0 = Ok(await kubectl.RunAsync("get", "pod", "db-0", "-o", "jsonpath={.status.podIP}"), "db-0's address").Stdout;
        var db1 = Ok(await kubectl.RunAsync("get", "pod", "db-1", "-o", "jsonpath={.status.podIP}"), "db-1's address").Stdout;

        // The kubelet's resolv.conf: the node's DNS, the namespace's search path then the host's, ndots:5.
        Assert.Equal("nameserver 127.0.0.56\nsearch default.svc.cluster.local svc.cluster.local cluster.local host.example\noptions ndots:5\n",
            await ExecAsync("client", "the client's resolv.conf", "cat", "/etc/resolv.conf"));
        Assert.Equal("nameserver 127.0.0.55\nsearch custom.example\noptions ndots:2 edns0\n",
            await ExecAsync("custom", "dnsPolicy None's resolv.conf", "cat", "/etc/resolv.conf"));

        var web = await ExecAsync("client", "the web service's name", "nslookup", "-type=a", "web.default.svc.cluster.local");
        Assert.Contains($"Address: {webIp}\n", web);

        // The search path, through the C library's resolver: a short name reaches the cluster IP.
        var ping = await cluster.Kubectl.RunAsync("exec", "client", "--", "ping", "-c", "1", "-W", "1", "web");
        Assert.Contains($"PING web ({webIp})", ping.Stdout + ping.Stderr);

        var srv = await ExecAsync("client", "the web service's SRV", "nslookup", "-type=srv", "_http._tcp.web.default.svc.cluster.local");
        Assert.Contains("service = 0 100 80 web.default.svc.cluster.local", srv);

        var headless = await ExecAsync("client", "the headless service's pods", "nslookup", "-type=a", "db.default.svc.cluster.local");
        Assert.Contains($"Address: {db0}\n", headless);
        Assert.Contains($"Address: {db1}\n", headless);

        var hostname = await ExecAsync("client", "db-0 by hostname and subdomain", "nslookup", "-type=a", "db-0.db.default.svc.cluster.local");
        Assert.Contains($"Address: {db0}\n", hostname);
        Assert.DoesNotContain(db1, hostname);

        var headlessSrv = await ExecAsync("client", "the headless service's SRV", "nslookup", "-type=srv", "_pg._tcp.db.default.svc.cluster.local");
        Assert.Contains("5432 db-0.db.default.svc.cluster.local", headlessSrv);
        Assert.Contains("5432 db-1.db.default.svc.cluster.local", headlessSrv);

        var outside = await ExecAsync("client", "a name outside the cluster", "nslookup", "-type=a", ClusterDnsCluster.OutsideName);
        Assert.Contains($"Address: {ClusterDnsCluster.OutsideAddress}\n", outside);
        Assert.Contains($"{ClusterDnsCluster.OutsideName}. A", cluster.Upstream.Questions);

        var external = await ExecAsync("client", "the ExternalName service", "nslookup", "-type=a", "ext.default.svc.cluster.local");
        Assert.Contains("canonical name = outside.example", external);
        Assert.Contains($"Address: {ClusterDnsCluster.OutsideAddress}\n", external);

        var missing = await kubectl.RunAsync("exec", "client", "--", "nslookup", "-type=a", "nope.default.svc.cluster.local");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NXDOMAIN", missing.Stdout + missing.Stderr);
        Assert.DoesNotContain(cluster.Upstream.Questions, q => q.Contains("cluster.local", StringComparison.Ordinal));
    }
}
