using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// kubectl exec against pods that really run (host processes of the embedded agent), and the same endpoint seen
/// through a plain WebSocket client speaking v4, as the official clients do.
/// </summary>
public sealed class PodExecTests(KubeApiAgentFixture api) : IClassFixture<KubeApiAgentFixture>
{
    private static readonly TimeSpan SocketTimeout = TimeSpan.FromSeconds(60);

    private Kubectl Kubectl => api.Kubectl;

    [Fact]
    public async Task Exec_PrintsTheOutput_AndCPicksTheContainer()
    {
        await using var pod = await RunningPodAsync("exec-two");

        var first = await Kubectl.RunAsync("exec", "exec-two", "--", "echo", "hi");
        var side = await Kubectl.RunAsync("exec", "exec-two", "-c", "side", "--", "sh", "-c", "echo $WHO");
        var main = await Kubectl.RunAsync("exec", "exec-two", "-c", "main", "--", "sh", "-c", "echo $WHO");

        Assert.Equal((0, "hi\n"), (first.ExitCode, first.Stdout));
        Assert.Equal((0, "side\n", ""), (side.ExitCode, side.Stdout, side.Stderr));
        Assert.Equal((0, "main\n", ""), (main.ExitCode, main.Stdout, main.Stderr));
    }

    [Fact]
    public async Task Exec_CommandFails_KubectlExitsWithItsCode_AndStderrGoesToStderr()
    {
        await using var pod = await RunningPodAsync("exec-fail");

        var r = await Kubectl.RunAsync("exec", "exec-fail", "-c", "main", "--", "sh", "-c", "echo out; echo err >&2; exit 3");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\ncommand terminated with exit code 3\n", r.Stderr);
    }

    [Fact]
    public async Task Exec_WithStdin_TheCommandReadsWhatWasPiped()
    {
        await using var pod = await RunningPodAsync("exec-stdin");

        var cat = await Kubectl.RunWithStdinAsync("data\nmore data\n", "exec", "-i", "exec-stdin", "-c", "main", "--", "cat");
        var count = await Kubectl.RunWithStdinAsync("a\nb\nc\n", "exec", "-i", "exec-stdin", "-c", "main", "--", "wc", "-l");
        var empty = await Kubectl.RunAsync("exec", "-i", "exec-stdin", "-c", "main", "--", "cat");

        Assert.Equal((0, "data\nmore data\n", ""), (cat.ExitCode, cat.Stdout, cat.Stderr));
        Assert.Equal((0, "3"), (count.ExitCode, count.Stdout.Trim()));
        Assert.Equal((0, ""), (empty.ExitCode, empty.Stdout));
    }

    [Fact]
    public async Task Exec_Failures_SayWhatWasWrong_AndExit1()
    {
        var apply = await Kubectl.RunWithStdinAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: exec-unplaced
            spec:
              nodeSelector:
                granary.test/none: "true"
              containers:
              - name: main
                image: local/none:1
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: exec-noagent
            spec:
              nodeName: exec-no-agent-node
              containers:
              - name: main
                image: local/none:1
            """, "apply", "-f", "-", "--validate=false");
        Assert.True(apply.ExitCode == 0, $"kubectl apply failed: {apply}");
        await using var pod = await RunningPodAsync("exec-errs");

        var missing = await Kubectl.RunAsync("exec", "exec-nope", "--", "echo", "hi");
        var unplaced = await Kubectl.RunAsync("exec", "exec-unplaced", "--", "echo", "hi");
        var noAgent = await Kubectl.RunAsync("exec", "exec-noagent", "--", "echo", "hi");
        var noContainer = await Kubectl.RunAsync("exec", "exec-errs", "-c", "nope", "--", "echo", "hi");

        Assert.Equal((1, "Error from server (NotFound): pods \"exec-nope\" not found\n"), (missing.ExitCode, missing.Stderr));
        Assert.Equal((1, "Error from server (BadRequest): pod exec-unplaced does not have a host assigned\n"), (unplaced.ExitCode, unplaced.Stderr));
        Assert.Equal((1, "Error from server (ServiceUnavailable): node \"exec-no-agent-node\" is not registered: its agent cannot be reached; try again when the node's agent is back\n"),
            (noAgent.ExitCode, noAgent.Stderr));
        Assert.Equal((1, "Error from server (BadRequest): container nope is not valid for pod exec-errs\n"), (noContainer.ExitCode, noContainer.Stderr));
    }

    [Fact]
    public async Task WebSocketV4_StreamsFramesAndAJsonStatus_ThenClosesNormally()
    {
        await using var pod = await RunningPodAsync("exec-ws");

        var ok = await ExecOverWebSocketAsync("exec-ws", "v4.channel.k8s.io", "command=sh&command=-c&command=echo+out%3B+echo+err+>%262&stdout=true&stderr=true");
        var failed = await ExecOverWebSocketAsync("exec-ws", "v4.channel.k8s.io", "command=sh&command=-c&command=exit+7&stdout=true&stderr=true");

        Assert.Equal("v4.channel.k8s.io", ok.Protocol);
        Assert.Equal(("out\n", "err\n", "Success"), (ok.Text(1), ok.Text(2), (string?)ok.Status()["status"]));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ok.Close);
        Assert.Equal("NonZeroExitCode", (string?)failed.Status()["reason"]);
        Assert.Equal("7", (string?)failed.Status()["details"]!["causes"]![0]!["message"]);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, failed.Close);
    }

    [Fact]
    public async Task WebSocketV4_StdinEndsWithTheClientsClose_AndATerminalIsRefusedInBand()
    {
        await using var pod = await RunningPodAsync("exec-ws-in");

        var cat = await ExecOverWebSocketAsync("exec-ws-in", "v4.channel.k8s.io", "command=cat&stdin=true&stdout=true&stderr=true", stdin: "over v4\n");
        var tty = await ExecOverWebSocketAsync("exec-ws-in", "v5.channel.k8s.io", "command=sh&stdin=true&stdout=true&tty=true");

        Assert.Equal(("over v4\n", "Success"), (cat.Text(1), (string?)cat.Status()["status"]));
        Assert.Equal("v5.channel.k8s.io", tty.Protocol);
        Assert.Equal("Failure", (string?)tty.Status()["status"]);
        // The process driver runs commands on pipes; the docker driver gives a terminal (ExecStreamingTests).
        Assert.Equal(("BadRequest", "a terminal (tty, kubectl exec -t) needs the docker driver: the process driver runs commands on pipes; run the command without -t (-i alone works)"),
            ((string?)tty.Status()["reason"], (string?)tty.Status()["message"]));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, tty.Close);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task WithoutAWebSocketUpgrade_IsUpgradeRequired(string method)
    {
        // The pod is checked first (a missing one is a 404), as kube-apiserver looks it up before the upgrade.
        var name = $"exec-upgrade-{method.ToLowerInvariant()}";
        await using var pod = await RunningPodAsync(name);
        using var http = api.Silo.CreateHttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/v1/namespaces/default/pods/{name}/exec?command=ls&stdout=true&container=main");
        // kubectl's fallback (and kubectl 1.29 and older) asks for SPDY, which is not served for exec: the answer says
        // which kubectl works.
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "SPDY/3.1");

        using var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("Failure", "BadRequest", 400), ((string?)body["status"], (string?)body["reason"], (int?)body["code"]));
        Assert.StartsWith("Upgrade request required: exec and attach are served over WebSocket only (kubectl 1.30 or newer", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_AdvertisesPodsExec_WithGetAndCreate()
    {
        using var http = api.Silo.CreateHttpClient();

        var core = JsonNode.Parse(await http.GetStringAsync("/api/v1"))!;

        var exec = core["resources"]!.AsArray().Single(r => (string?)r!["name"] == "pods/exec")!;
        Assert.Equal(["create", "get"], exec["verbs"]!.AsArray().Select(v => (string)v!));
        Assert.True((bool?)exec["namespaced"]);
    }

    /// <summary>A running pod with containers main and side (each knowing its name as $WHO), deleted (and its processes stopped) at dispose.</summary>
    private async Task<RunningPod> RunningPodAsync(string name)
    {
        var apply = await Kubectl.RunWithStdinAsync($"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {name}
            spec:
              nodeName: {KubeApiAgentFixture.NodeName}
              terminationGracePeriodSeconds: 5
              containers:
              - name: main
                image: local/none:1
                command: [sleep, "300"]
                env:
                - name: WHO
                  value: main
              - name: side
                image: local/none:1
                command: [sleep, "300"]
                env:
                - name: WHO
                  value: side
            """, "apply", "-f", "-", "--validate=false");
        Assert.True(apply.ExitCode == 0, $"kubectl apply of pod {name} failed: {apply}");
        // A barrier through the real kubectl's watch: both containers have started once the pod is Ready.
        var ready = await Kubectl.RunAsync("wait", "--for=condition=Ready", $"pod/{name}", "--timeout=50s");
        Assert.True(ready.ExitCode == 0, $"waiting for pod default/{name} to be Ready: {ready}");
        return new RunningPod(Kubectl, name);
    }

    private static bool IssuedBy(System.Security.Cryptography.X509Certificates.X509Certificate2 ca, System.Security.Cryptography.X509Certificates.X509Certificate presented)
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private sealed class RunningPod(Kubectl kubectl, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await kubectl.RunAsync("delete", "pod", name, "--timeout=50s");
    }

    private async Task<SocketExec> ExecOverWebSocketAsync(string pod, string protocol, string query, string? stdin = null)
    {
        using var cts = new CancellationTokenSource(SocketTimeout);
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(protocol);
        // The API serves HTTPS (dev mode too): the socket trusts the kubeconfig's CA and sends its token, as kubectl does.
        var kubeconfig = Granary.Tests.Integration.ApiSecurity.KubeconfigView.Read(api.Silo.Kubeconfig);
        using var ca = kubeconfig.Ca;
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && IssuedBy(ca, certificate);
        socket.Options.SetRequestHeader("Authorization", $"Bearer {kubeconfig.Token}");
        var uri = new UriBuilder(api.Silo.ApiUrl) { Scheme = "wss", Path = $"/api/v1/namespaces/default/pods/{pod}/exec", Query = $"container=main&{query}" }.Uri;
        await socket.ConnectAsync(uri, cts.Token);
        if (stdin is not null)
        {
            await socket.SendAsync((byte[])[0, .. Encoding.UTF8.GetBytes(stdin)], WebSocketMessageType.Binary, true, cts.Token);
            // v4 has no close signal for one stream: the client's close is the end of stdin.
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
        }
        var channels = new Dictionary<byte, MemoryStream>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, cts.Token);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);
            if (received.MessageType == WebSocketMessageType.Close)
                break;
            var bytes = message.ToArray();
            Assert.True(bytes.Length > 0, "every message starts with its channel byte");
            if (!channels.TryGetValue(bytes[0], out var stream))
                channels[bytes[0]] = stream = new MemoryStream();
            stream.Write(bytes, 1, bytes.Length - 1);
        }
        if (socket.State == WebSocketState.CloseReceived)
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
        return new SocketExec(socket.SubProtocol, channels.ToDictionary(c => c.Key, c => Encoding.UTF8.GetString(c.Value.ToArray())), socket.CloseStatus);
    }

    private sealed record SocketExec(string? Protocol, Dictionary<byte, string> Channels, WebSocketCloseStatus? Close)
    {
        public string Text(byte channel) => Channels.GetValueOrDefault(channel, "");

        /// <summary>The status on channel 3, which every v4 session ends with.</summary>
        public JsonNode Status() => Channels.TryGetValue(3, out var status)
            ? JsonNode.Parse(status)!
            : throw new Xunit.Sdk.XunitException($"no status on channel 3; channels: {string.Join(", ", Channels.Select(c => $"{c.Key}={c.Value}"))}");
    }
}
