using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Granary.Tests.Integration.Infrastructure;
using Granary.Tests.Integration.KubeApi;
using k8s;

namespace Granary.Tests.Integration.Streams;

/// <summary>
/// One node (block 55) with a Deployment "web" of one busybox httpd pod on its own address, port 8080, and a Service
/// "web" (port 80 → targetPort 8080) in front of it.
/// </summary>
public sealed class PortForwardCluster() : MultiNodeCluster([new ClusterNode("pf-a", 55)]), IAsyncLifetime
{
    public const string Namespace = "pf";

    private const string Manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: pf
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: pf
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: httpd
                image: local/busybox:1
                ports:
                - containerPort: 8080
                env:
                - name: POD_IP
                  valueFrom:
                    fieldRef:
                      fieldPath: status.podIP
                - name: POD_NAME
                  valueFrom:
                    fieldRef:
                      fieldPath: metadata.name
                command: [sh, -c, 'mkdir -p /www && echo "hello from $POD_NAME" > /www/index.html && exec httpd -f -p $POD_IP:8080 -h /www']
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: pf
        spec:
          selector:
            app: web
          ports:
          - port: 80
            targetPort: 8080
        """;

    public string PodName { get; private set; } = "";

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var applied = await Kubectl.RunWithStdinAsync(Manifest, "apply", "-f", "-");
        Assert.True(applied.ExitCode == 0, $"applying the web Deployment: {applied}");
        var rollout = await Kubectl.RunAsync("rollout", "status", "deployment/web", "-n", Namespace, "--timeout=60s");
        Assert.True(rollout.ExitCode == 0, $"waiting for deployment web to roll out: {rollout}\n{RecentOutput()}");
        var name = await Kubectl.RunAsync("get", "pods", "-n", Namespace, "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}");
        PodName = name.Stdout.Trim();
    }
}

/// <summary>
/// Port-forward end to end: the real kubectl of a new version (SPDY tunnelled in a WebSocket) and of an old one (SPDY
/// on the upgraded connection) forward local ports to the pod through the silo and the node's agent, for pod/,
/// deploy/ and svc/ targets; connections in parallel each get their own stream pair; a refused port is reported by
/// kubectl as the kubelet's error; the KubernetesClient library's WebSocket port-forward round-trips.
/// </summary>
public sealed partial class PortForwardTests(PortForwardCluster cluster) : IClassFixture<PortForwardCluster>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("1.33", "pod")]
    [InlineData("1.28", "pod")]
    [InlineData("1.28", "deploy")]
    [InlineData("1.33", "svc")]
    public async Task KubectlPortForward_ServesTheHttpServerOfThePod(string version, string form)
    {
        var kubectl = cluster.Kubectl.WithVersion(version);
        if (kubectl is null)
            return;
        var target = form switch
        {
            "pod" => $"pod/{cluster.PodName}",
            "deploy" => "deploy/web",
            _ => "svc/web",
        };
        var remote = form == "svc" ? "80" : "8080";
        await using var forward = kubectl.Start("port-forward", target, $":{remote}", "-n", PortForwardCluster.Namespace);
        var local = await LocalPortAsync(forward, $"kubectl {version} port-forward {target}");

        var body = await Explained(GetAsync(local), forward);
        Assert.Equal($"hello from {cluster.PodName}\n", body);

        // Several connections at once, each its own stream pair (SPDY) over the one connection to the API.
        var bodies = await Explained(Task.WhenAll(Enumerable.Range(0, 8).Select(_ => GetAsync(local))), forward);
        Assert.All(bodies, b => Assert.Equal($"hello from {cluster.PodName}\n", b));
        Assert.False(forward.HasExited, $"kubectl port-forward ended:\n{forward.Output}");
    }

    [Fact]
    public async Task KubectlPortForward_ToAPortNothingListensOn_ReportsConnectionRefused()
    {
        await using var forward = cluster.Kubectl.Start("port-forward", $"pod/{cluster.PodName}", ":9999", "-n", PortForwardCluster.Namespace);
        var local = await LocalPortAsync(forward, "kubectl port-forward to port 9999");

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", local);
        var stream = client.GetStream();
        var buffer = new byte[64];
        // The pod's side refuses: kubectl ends the local connection with nothing read, and says why.
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        var line = await forward.WaitForLineAsync("connection refused", Wait, "waiting for kubectl to report the refused port");
        Assert.Contains($"error forwarding port 9999 to pod {PortForwardCluster.Namespace}/{cluster.PodName}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesClient_WebSocketPortForward_RoundTripsAnHttpRequest()
    {
        using var client = KubernetesClientSupport.Connect(cluster.Silo);
        using var socket = await client.WebSocketNamespacedPodPortForwardAsync(cluster.PodName, PortForwardCluster.Namespace, [8080], "v4.channel.k8s.io");
        Assert.Equal("v4.channel.k8s.io", socket.SubProtocol);
        using var demuxer = new StreamDemuxer(socket, StreamType.PortForward);
        demuxer.Start();
        using var stream = demuxer.GetStream((byte?)0, (byte?)0);
        await stream.WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());

        var response = await ReadToEndAsync(stream).WaitAsync(Wait);
        Assert.StartsWith("HTTP/1.", response, StringComparison.Ordinal);
        Assert.EndsWith($"\r\n\r\nhello from {cluster.PodName}\n", response, StringComparison.Ordinal);
    }

    /// <summary>A failure with what kubectl, the agent and the silo printed.</summary>
    private async Task<T> Explained<T>(Task<T> task, ChildProcess forward)
    {
        try
        {
            return await task;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- kubectl\n{forward.Output}\n{cluster.RecentOutput()}");
        }
    }

    /// <summary>Reads until the pod's side has closed (httpd closes after its answer), which ends the session.</summary>
    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        return text.ToString();
    }

    private static async Task<int> LocalPortAsync(ChildProcess forward, string phase)
    {
        var line = await forward.WaitForLineAsync("Forwarding from 127.0.0.1:", Wait, phase);
        return int.Parse(ForwardingLine().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>GET / on a new connection (busybox httpd closes each one after its answer).</summary>
    private static async Task<string> GetAsync(int port) => await GetUriAsync($"http://127.0.0.1:{port}/");

    private static async Task<string> GetUriAsync(string uri)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = Wait };
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.ConnectionClose = true;
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    [GeneratedRegex(@"Forwarding from 127\.0\.0\.1:(\d+) ->")]
    private static partial Regex ForwardingLine();
}
