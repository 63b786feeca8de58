using System.Net;
using System.Net.WebSockets;
using System.Text;
using Granary.Tests.Integration.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Granary.Tests.Integration.Networking;

/// <summary>
/// Two nodes (blocks 60 and 61), service range 127.160.0.0/16: a busybox httpd pod "web" on px-a behind the Service
/// "web" (port 80 "http" → 8080), a Service "empty" without endpoints, a pod "ws" on px-b whose address the test
/// itself serves, and one <c>kubectl proxy</c> on a free port.
/// </summary>
public sealed class ApiProxyCluster() : MultiNodeCluster([new ClusterNode("px-a", 60), new ClusterNode("px-b", 61)], "--service-cidr", "127.160.0.0/16"), IAsyncLifetime
{
    private const string Manifests = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels:
            app: web
        spec:
          nodeName: px-a
          terminationGracePeriodSeconds: 1
          containers:
          - name: httpd
            image: local/busybox:1
            ports:
            - name: http
              containerPort: 8080
            env:
            - name: POD_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
            readinessProbe:
              httpGet:
                path: /index.html
                port: 8080
              periodSeconds: 1
            command:
            - sh
            - -c
            - |
              mkdir -p /www/cgi-bin
              echo hello-from-web > /www/index.html
              printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho "$REQUEST_METHOD $QUERY_STRING"\nhead -c "${CONTENT_LENGTH:-0}"\n' > /www/cgi-bin/echo
              printf '#!/bin/sh\nprintf "HTTP/1.1 302 Found\\r\\nLocation: http://%%s:8080/index.html\\r\\n\\r\\n" "$POD_IP"\n' > /www/cgi-bin/redirect
              chmod +x /www/cgi-bin/echo /www/cgi-bin/redirect
              exec httpd -f -p $POD_IP:8080 -h /www
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: ws
        spec:
          nodeName: px-b
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: local/busybox:1
            command: [sleep, "3600"]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
          - name: http
            port: 80
            targetPort: 8080
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: empty
        spec:
          selector:
            app: nothing-matches
          ports:
          - name: http
            port: 80
        """;

    private ChildProcess? _proxy;

    /// <summary>The port of the running <c>kubectl proxy</c>.</summary>
    public int ProxyPort { get; } = FreePort.Next();

    public HttpClient Http { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var kubectl = Kubectl;
        Ok(await kubectl.RunWithStdinAsync(Manifests, "apply", "-f", "-"), "creating the pods and services");
        Ok(await kubectl.RunAsync("wait", "pod/web", "pod/ws", "--for=condition=Ready", "--timeout=55s"), "waiting for pods web and ws to be ready");
        Ok(await kubectl.RunAsync("wait", "endpointslice", "-l", "kubernetes.io/service-name=web",
            "--for=jsonpath={.endpoints[0].conditions.ready}=true", "--timeout=55s"), "waiting for service web's endpoint to be ready");
        _proxy = kubectl.Start("proxy", $"--port={ProxyPort}");
        await _proxy.WaitForLineAsync($"Starting to serve on 127.0.0.1:{ProxyPort}", TimeSpan.FromSeconds(30), "waiting for kubectl proxy to listen");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        Http.Dispose();
        if (_proxy is not null)
            await _proxy.DisposeAsync();
        await DisposeAsync();
    }

    public CliResult Ok(CliResult r, string phase) =>
        r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"{phase}: expected success: {r}\n{RecentOutput()}");
}

/// <summary>
/// The API's proxy end to end with real processes (a silo, two agents on one dockerd, the real kubectl): pods/proxy
/// through <c>kubectl get --raw</c>, services/proxy and nodes/proxy through <c>kubectl proxy</c>, a POST with its
/// query and body, a redirect kept on the proxy, a WebSocket relayed both ways, and kube's errors.
/// </summary>
public sealed class ApiProxyTests(ApiProxyCluster cluster, ITestOutputHelper output) : IClassFixture<ApiProxyCluster>
{
    private string Local(string path) => $"http://127.0.0.1:{cluster.ProxyPort}{path}";

    [Fact]
    public async Task PodProxy_GetRaw_ReturnsThePage_ByPortNumberNameOrDefault()
    {
        var kubectl = cluster.Kubectl;
        foreach (var id in (string[])["web:8080", "web:http", "web", "http:web:8080"])
        {
            var r = cluster.Ok(await kubectl.RunAsync("get", "--raw", $"/api/v1/namespaces/default/pods/{id}/proxy/"), $"pods/{id}/proxy");
            Assert.Equal("hello-from-web\n", r.Stdout);
        }
        var discovery = cluster.Ok(await kubectl.RunAsync("get", "--raw", "/api/v1"), "discovery");
        Assert.Contains("\"name\":\"pods/proxy\"", discovery.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"services/proxy\"", discovery.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceProxy_ThroughKubectlProxy_GetsThePage_AndPostsWithQueryAndBody()
    {
        var page = await cluster.Http.GetAsync(Local("/api/v1/namespaces/default/services/web:http/proxy/index.html"));
        Assert.Equal((HttpStatusCode.OK, "hello-from-web\n"), (page.StatusCode, await page.Content.ReadAsStringAsync()));

        using var body = new StringContent("abc=1", Encoding.ASCII, "application/x-www-form-urlencoded");
        var posted = await cluster.Http.PostAsync(Local("/api/v1/namespaces/default/services/web:80/proxy/cgi-bin/echo?x=y&z=%2F"), body);
        Assert.Equal((HttpStatusCode.OK, "POST x=y&z=%2F\nabc=1"), (posted.StatusCode, await posted.Content.ReadAsStringAsync()));

        // A figure for the docs, not an assertion: requests one after another, kubectl proxy → silo → agent → pod.
        const int Requests = 50;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
            (await cluster.Http.GetAsync(Local("/api/v1/namespaces/default/services/web:http/proxy/index.html"))).EnsureSuccessStatusCode();
        output.WriteLine($"{Requests} sequential GETs through kubectl proxy and services/proxy: {clock.Elapsed.TotalMilliseconds / Requests:F1} ms each");
    }

    [Fact]
    public async Task Redirects_FromThePod_StayOnTheProxy()
    {
        // The pod redirects to its own absolute address (http://POD_IP:8080/index.html): the client is kept on the proxy.
        var redirect = await cluster.Http.GetAsync(Local("/api/v1/namespaces/default/pods/web:8080/proxy/cgi-bin/redirect"));
        Assert.True(redirect.StatusCode == HttpStatusCode.Found, $"expected 302 Found: {redirect.StatusCode} {redirect.Headers} {await redirect.Content.ReadAsStringAsync()}");
        Assert.Equal("/api/v1/namespaces/default/pods/web:8080/proxy/index.html", redirect.Headers.Location?.OriginalString);

        // busybox httpd sends a directory without its slash to the path with it ("/cgi-bin/").
        var directory = await cluster.Http.GetAsync(Local("/api/v1/namespaces/default/services/web:http/proxy/cgi-bin"));
        Assert.True(directory.StatusCode == HttpStatusCode.Found, $"expected 302 Found: {directory.StatusCode} {directory.Headers}");
        Assert.Equal("/api/v1/namespaces/default/services/web:http/proxy/cgi-bin/", directory.Headers.Location?.OriginalString);

        // The proxy's root without its slash is sent to the slash, as kube-apiserver does.
        var root = await cluster.Http.GetAsync(Local("/api/v1/namespaces/default/services/web:http/proxy"));
        Assert.Equal(HttpStatusCode.MovedPermanently, root.StatusCode);
        Assert.Equal("/api/v1/namespaces/default/services/web:http/proxy/", root.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task NodeProxy_ReachesTheAgentsOwnServer()
    {
        var r = cluster.Ok(await cluster.Kubectl.RunAsync("get", "--raw", "/api/v1/nodes/px-b/proxy/healthz"), "nodes/px-b/proxy/healthz");
        Assert.Equal("ok", r.Stdout);
    }

    [Fact]
    public async Task WebSocket_ThroughThePodProxy_IsRelayedBothWays()
    {
        // The pod "ws" has an address on px-b; the test serves a WebSocket echo there, as the pod's own server would.
        var podIp = cluster.Ok(await cluster.Kubectl.RunAsync("get", "pod", "ws", "-o", "jsonpath={.status.podIP}"), "reading pod ws's IP").Stdout;
        var port = FreePort.Next();
        await using var echo = await StartEchoAsync(podIp, port);

        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{cluster.ProxyPort}/api/v1/namespaces/default/pods/ws:{port}/proxy/echo?greeting=hi"), timeout.Token);
        var buffer = new byte[1024];
        var greeting = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("hi", Encoding.UTF8.GetString(buffer, 0, greeting.Count));
        await socket.SendAsync(Encoding.UTF8.GetBytes("ping"), WebSocketMessageType.Text, true, timeout.Token);
        var answer = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("ping", Encoding.UTF8.GetString(buffer, 0, answer.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task Errors_AreKubesStatuses()
    {
        var kubectl = cluster.Kubectl;
        var noEndpoints = await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/default/services/empty/proxy/");
        Assert.Equal(1, noEndpoints.ExitCode);
        Assert.Contains("Error from server (ServiceUnavailable): no endpoints available for service \"empty\"", noEndpoints.Stderr, StringComparison.Ordinal);

        var status = await cluster.Http.GetAsync(Local("/api/v1/namespaces/default/services/empty:http/proxy/"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status.StatusCode);
        // As kube-apiserver, no Retry-After: kubectl would otherwise retry ten times before saying why.
        Assert.Null(status.Headers.RetryAfter);

        var missing = await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/default/pods/nope:8080/proxy/");
        Assert.Contains("Error from server (NotFound): pods \"nope\" not found", missing.Stderr, StringComparison.Ordinal);

        var badPort = await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/default/pods/web:metrics/proxy/");
        Assert.Contains("Error from server (BadRequest): pod default/web has no container port named \"metrics\"", badPort.Stderr, StringComparison.Ordinal);

        var refused = await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/default/pods/web:9/proxy/");
        Assert.Matches(@"Error from server \(ServiceUnavailable\): error trying to reach service: dial tcp 127\.1\.70\.\d+:9: connect: connection refused", refused.Stderr);
    }

    /// <summary>A WebSocket server on ADDRESS:PORT that greets with the "greeting" query value and echoes every message.</summary>
    private static async Task<WebApplication> StartEchoAsync(string address, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(address), port));
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/echo", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.SendAsync(Encoding.UTF8.GetBytes(context.Request.Query["greeting"].ToString()), WebSocketMessageType.Text, true, context.RequestAborted);
            var buffer = new byte[1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        });
        await app.StartAsync();
        return app;
    }
}
