using System.Net;
using System.Net.Sockets;
using System.Text;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Networking;

/// <summary>Two nodes (blocks 40 and 41: 127.0.0.50 and .51) whose silo hands out loopback cluster IPs from 127.140.0.0/16.</summary>
public sealed class ServiceProxyCluster() : MultiNodeCluster([new ClusterNode("px-a", 40), new ClusterNode("px-b", 41)], "--service-cidr", "127.140.0.0/16");

/// <summary>
/// The agents' service proxy end to end: busybox httpd pods of a Deployment behind a Service, reached through its
/// cluster IP and its node port on both nodes; pods deleted and scaled away under traffic; a selectorless Service with
/// a hand-written EndpointSlice to echo servers of the test (TCP and UDP) for a connection that outlives an endpoint
/// change; sessionAffinity ClientIP.
/// </summary>
public sealed class ServiceProxyTests(ServiceProxyCluster cluster) : IClassFixture<ServiceProxyCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    private const string Web = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: httpd
                image: local/busybox:1
                env:
                - name: POD_NAME
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                - name: POD_IP
                  valueFrom: {fieldRef: {fieldPath: status.podIP}}
                command: [sh, -c, "mkdir -p /www && echo $POD_NAME > /www/index.html && exec httpd -f -p $POD_IP:8080 -h /www"]
                ports:
                - {name: http, containerPort: 8080}
                readinessProbe:
                  tcpSocket: {port: http}
                  periodSeconds: 1
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: http}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: sticky
        spec:
          type: NodePort
          selector: {app: web}
          sessionAffinity: ClientIP
          ports:
          - {port: 81, targetPort: 8080}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: lb
        spec:
          type: LoadBalancer
          selector: {app: web}
          ports:
          - {port: 82, targetPort: 8080}
        """;

    private CliResult Ok(CliResult r, string phase) =>
        r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"{phase}: expected success: {r}\n{cluster.RecentOutput()}");

    private async Task<string> JsonPathAsync(string what, string path) =>
        Ok(await cluster.Kubectl.RunAsync("get", what, "-o", $"jsonpath={path}"), $"read {path} of {what}").Stdout.Trim();

    /// <summary>One HTTP/1.0 GET on a new connection: the body's first line (the pod's name).</summary>
    private static async Task<string> GetAsync(IPEndPoint address, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address, ct);
        var stream = client.GetStream();
        await stream.WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(ct);
        var body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!response.StartsWith("HTTP/1.", StringComparison.Ordinal) || body < 0)
            throw new IOException($"not an HTTP response: \"{response}\"");
        return response[(body + 4)..].Trim();
    }

    /// <summary>Requests <paramref name="address"/> until every one of <paramref name="expected"/> answered, within the deadline.</summary>
    private async Task ReachesAllAsync(IPEndPoint address, IReadOnlyCollection<string> expected, string phase)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var seen = new HashSet<string>();
        string? last = null;
        while (!expected.All(seen.Contains))
        {
            try
            {
                seen.Add(await GetAsync(address, deadline.Token));
            }
            catch (Exception e) when (e is IOException or SocketException && !deadline.IsCancellationRequested)
            {
                // Endpoints not yet known to the proxy: poll again.
                last = e.Message;
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"{phase}: {address} answered only from [{string.Join(", ", seen)}], expected [{string.Join(", ", expected)}]; last error: {last}\n{cluster.RecentOutput()}");
            }
        }
    }

    [Fact]
    public async Task Deployment_ReachedThroughClusterIPAndNodePorts_SurvivesPodDeletion_RefusesWhenScaledToZero()
    {
        var kubectl = cluster.Kubectl;
        Ok(await kubectl.RunWithStdinAsync(Web, "apply", "-f", "-"), "apply the deployment and services");
        Ok(await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=60s"), "the pods become ready");
        var pods = (await JsonPathAsync("pods", "{.items[*].metadata.name}")).Split(' ');
        Assert.Equal(2, pods.Length);

        var clusterIP = IPAddress.Parse(await JsonPathAsync("service/web", "{.spec.clusterIP}"));
        Assert.StartsWith("127.140.", clusterIP.ToString(), StringComparison.Ordinal);
        var nodePort = int.Parse(await JsonPathAsync("service/web", "{.spec.ports[0].nodePort}"), System.Globalization.CultureInfo.InvariantCulture);
        await ReachesAllAsync(new IPEndPoint(clusterIP, 80), pods, "the cluster IP reaches both pods");
        foreach (var node in cluster.Nodes)
            await ReachesAllAsync(new IPEndPoint(IPAddress.Parse(node.NodeIp), nodePort), pods, $"the node port on {node.Name} reaches both pods");

        // By name from inside a third pod: the node's cluster DNS answers the cluster IP, the node's proxy carries it.
        // (busybox-static's wget crashes in the static C library, so the request is written with nc.)
        Ok(await kubectl.RunAsync("run", "client", "--image=local/busybox:1", "--restart=Never", "--", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"), "start a client pod");
        Ok(await kubectl.RunAsync("wait", "--for=condition=Ready", "pod/client", "--timeout=60s"), "the client pod runs");
        var fetched = await kubectl.RunAsync("exec", "client", "--", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 web 80 || exit 1; done");
        if (fetched.ExitCode != 0)
        {
            var diagnosis = await kubectl.RunAsync("exec", "client", "--", "sh", "-c", $"cat /etc/resolv.conf; nslookup web; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 {clusterIP} 80");
            Assert.Fail($"GET http://web/ from inside a pod failed: {fetched}\n{diagnosis}{cluster.RecentOutput()}");
        }
        var byName = fetched.Stdout;
        Assert.All(pods, pod => Assert.Contains(pod, byName, StringComparison.Ordinal));
        Ok(await kubectl.RunAsync("delete", "pod", "client", "--grace-period=1"), "delete the client pod");

        // LoadBalancer, as k3s' servicelb: the nodes' addresses are its ingress, its node ports carry the traffic.
        Ok(await kubectl.RunAsync("wait", "service/lb", "--for=jsonpath={.status.loadBalancer.ingress[1].ip}=127.0.0.51", "--timeout=30s"), "the load balancer's ingress");
        Assert.Equal("127.0.0.50 127.0.0.51", await JsonPathAsync("service/lb", "{.status.loadBalancer.ingress[*].ip}"));
        var lbPort = int.Parse(await JsonPathAsync("service/lb", "{.spec.ports[0].nodePort}"), System.Globalization.CultureInfo.InvariantCulture);
        await ReachesAllAsync(new IPEndPoint(IPAddress.Parse(cluster.Nodes[1].NodeIp), lbPort), pods, "the load balancer's node port reaches both pods");
        await ReachesAllAsync(new IPEndPoint(IPAddress.Parse(cluster.Nodes[0].NodeIp), 82), pods, "the load balancer's ingress address reaches both pods on the service port");

        // ClientIP affinity: through one node's port (each node's proxy keeps its own table, as kube-proxy's).
        var stickyPort = int.Parse(await JsonPathAsync("service/sticky", "{.spec.ports[0].nodePort}"), System.Globalization.CultureInfo.InvariantCulture);
        var sticky = new IPEndPoint(IPAddress.Parse(cluster.Nodes[0].NodeIp), stickyPort);
        await ReachesAllAsync(sticky, [], "the sticky service answers");
        using (var deadline = new CancellationTokenSource(Deadline))
        {
            var first = await GetAsync(sticky, deadline.Token);
            for (var i = 0; i < 6; i++)
                Assert.Equal(first, await GetAsync(sticky, deadline.Token));
        }

        // A pod deleted under steady traffic: requests go on, at most the one in flight fails.
        var failures = new List<string>();
        var answered = 0;
        using (var traffic = new CancellationTokenSource())
        {
            var load = Task.Run(async () =>
            {
                while (!traffic.IsCancellationRequested)
                {
                    using var one = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    try
                    {
                        await GetAsync(new IPEndPoint(clusterIP, 80), one.Token);
                        answered++;
                    }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                    {
                        failures.Add(e.Message);
                    }
                }
            });
            Ok(await kubectl.RunAsync("delete", "pod", pods[0], "--wait=true", "--timeout=60s"), "delete one pod");
            Ok(await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=60s"), "the replacement becomes ready");
            await traffic.CancelAsync();
            await load;
        }
        Assert.True(answered > 0, "no request was answered while a pod was deleted");
        Assert.True(failures.Count <= 1, $"{failures.Count} of {answered + failures.Count} requests failed while a pod was deleted: {string.Join("; ", failures.Distinct())}");

        // Scaled to zero: a connection is refused at once, not left hanging.
        Ok(await kubectl.RunAsync("scale", "deployment/web", "--replicas=0"), "scale to zero");
        Ok(await kubectl.RunAsync("wait", "--for=delete", "pods", "-l", "app=web", "--timeout=60s"), "the pods go");
        using (var deadline = new CancellationTokenSource(Deadline))
        {
            Exception? error = null;
            while (error is not (SocketException or IOException { InnerException: SocketException }))
            {
                using var one = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                one.CancelAfter(TimeSpan.FromSeconds(5));
                error = await Record.ExceptionAsync(() => GetAsync(new IPEndPoint(clusterIP, 80), one.Token));
                Assert.False(deadline.IsCancellationRequested, $"the cluster IP of a service without endpoints still answers or hangs: {error}");
                Assert.False(error is OperationCanceledException, "a connection to a service without endpoints hung for 5 s instead of being refused");
            }
        }
        Ok(await kubectl.RunAsync("delete", "deployment/web", "service/web", "service/sticky", "service/lb"), "clean up");
    }

    [Fact]
    public async Task SelectorlessService_TcpConnectionOutlivesEndpointChange_AndUdpEchoes()
    {
        using var first = new EchoServer("one");
        using var second = new EchoServer("two");
        var kubectl = cluster.Kubectl;
        Ok(await kubectl.RunWithStdinAsync($"""
            apiVersion: v1
            kind: Service
            metadata:
              name: echo
            spec:
              ports:
              - {"{"}name: tcp, port: 7000, protocol: TCP{"}"}
              - {"{"}name: udp, port: 7001, protocol: UDP{"}"}
            ---
            {Slice(first)}
            """, "apply", "-f", "-"), "create the selectorless service and its slice");
        var clusterIP = IPAddress.Parse(await JsonPathAsync("service/echo", "{.spec.clusterIP}"));

        using var deadline = new CancellationTokenSource(Deadline);
        var (open, reader) = await ConnectUntilAsync(new IPEndPoint(clusterIP, 7000), "one", deadline.Token);
        using var _ = open;

        // UDP through the cluster IP: the reply comes from the service address.
        using (var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            UdpReceiveResult? reply = null;
            while (reply is null)
            {
                await udp.SendAsync("ping"u8.ToArray(), new IPEndPoint(clusterIP, 7001), deadline.Token);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                wait.CancelAfter(TimeSpan.FromMilliseconds(500));
                try
                {
                    reply = await udp.ReceiveAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                {
                    // The proxy may not listen yet on this agent: send again.
                }
            }
            Assert.Equal("one:ping", Encoding.ASCII.GetString(reply.Value.Buffer));
            Assert.Equal(new IPEndPoint(clusterIP, 7001), reply.Value.RemoteEndPoint);
        }

        // The slice now names only the second server: new connections go there, the open one stays with the first.
        Ok(await kubectl.RunWithStdinAsync(Slice(second), "apply", "-f", "-"), "move the endpoint");
        var (next, _) = await ConnectUntilAsync(new IPEndPoint(clusterIP, 7000), "two", deadline.Token);
        next.Dispose();
        await open.GetStream().WriteAsync("still there\n"u8.ToArray(), deadline.Token);
        Assert.Equal("one:still there", await reader.ReadLineAsync(deadline.Token));

        Ok(await kubectl.RunAsync("delete", "endpointslice/echo-manual", "service/echo"), "clean up");
    }

    private static string Slice(EchoServer server) => $"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: echo-manual
          labels:
            kubernetes.io/service-name: echo
        addressType: IPv4
        ports:
        - {"{"}name: tcp, port: {server.Port}, protocol: TCP{"}"}
        - {"{"}name: udp, port: {server.Port}, protocol: UDP{"}"}
        endpoints:
        - addresses: ["127.0.0.1"]
          conditions: {"{"}ready: true{"}"}
        """;

    /// <summary>Connects until the echo server named <paramref name="name"/> answers a line (endpoint changes take a moment to arrive).</summary>
    private async Task<(TcpClient Client, StreamReader Reader)> ConnectUntilAsync(IPEndPoint address, string name, CancellationToken ct)
    {
        string? last = null;
        while (true)
        {
            var client = new TcpClient();
            try
            {
                await client.ConnectAsync(address, ct);
                var stream = client.GetStream();
                await stream.WriteAsync("hello\n"u8.ToArray(), ct);
                var reader = new StreamReader(stream, Encoding.ASCII, false, 1, leaveOpen: true);
                last = await reader.ReadLineAsync(ct);
                if (last == $"{name}:hello")
                    return (client, reader);
            }
            catch (Exception e) when ((e is IOException or SocketException) && !ct.IsCancellationRequested)
            {
                last = e.Message;
            }
            catch (OperationCanceledException)
            {
                client.Dispose();
                throw new Xunit.Sdk.XunitException($"{address} never reached echo server {name}; last answer: {last}\n{cluster.RecentOutput()}");
            }
            client.Dispose();
            await Task.Delay(100, ct);
        }
    }
}
