using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Networking;

/// <summary>
/// One node (block 94: 127.0.0.104) whose agent runs the service proxy in nftables mode, with loopback cluster IPs
/// from 127.150.0.0/16. Its table is deleted before the cluster starts (a crashed earlier run) and after it stops,
/// failed or not: the kernel is shared with every other test.
/// </summary>
public sealed class NftablesCluster() : MultiNodeCluster([new ClusterNode(NodeName, 94)], "--service-cidr", "127.150.0.0/16"), IAsyncLifetime
{
    public const string NodeName = "nft-a";

    public static readonly Dictionary<string, string> Environment = new(StringComparer.Ordinal) { ["GRANARY_PROXYMODE"] = "nftables" };

    /// <summary>The table the agent owns (NftablesRuleset.TableName of the node).</summary>
    public const string Table = "granary-nft-a";

    protected override bool StartAgentsAtStart => false;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await Nft.DeleteTableAsync(Table);
        try
        {
            await InitializeAsync();
            await StartAgentAsync(NodeName, Environment);
        }
        catch
        {
            // The agent may have written its table before failing.
            await Nft.DeleteTableAsync(Table);
            throw;
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        try
        {
            await DisposeAsync();
        }
        finally
        {
            await Nft.DeleteTableAsync(Table);
        }
    }
}

/// <summary>The nft program, as the tests use it to look at and remove tables.</summary>
internal static class Nft
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("nft") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("nft did not start; scripts/test.sh installs nftables");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    public static async Task<string?> ListTableAsync(string table) =>
        await RunAsync("list", "table", "ip", table) is (0, var rules) ? rules : null;

    public static Task DeleteTableAsync(string table) => RunAsync("delete", "table", "ip", table);
}

/// <summary>
/// The agent's nftables proxy end to end, with TCP and UDP echo servers of the test as a selectorless Service's
/// endpoints (hand-written EndpointSlices): cluster IP and node port reach them, new connections spread over them,
/// sessionAffinity ClientIP keeps a client on one, a Service without endpoints refuses at once, an endpoint change
/// applies while an open connection stays on its endpoint, the rules outlive a killed agent, and --cleanup removes
/// the table.
/// </summary>
public sealed class NftablesProxyTests(NftablesCluster cluster) : IClassFixture<NftablesCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private CliResult Ok(CliResult r, string phase) =>
        r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"{phase}: expected success: {r}\n{cluster.RecentOutput()}");

    private async Task<string> JsonPathAsync(string what, string path) =>
        Ok(await cluster.Kubectl.RunAsync("get", what, "-o", $"jsonpath={path}"), $"read {path} of {what}").Stdout.Trim();

    /// <summary>A selectorless Service (TCP port 7000 "tcp", UDP port 7001 "udp") of <paramref name="type"/> and its slice naming <paramref name="servers"/>.</summary>
    private async Task<IPAddress> CreateAsync(string name, string type, bool sticky, params EchoServer[] servers)
    {
        var affinity = sticky ? "sessionAffinity: ClientIP" : "";
        Ok(await cluster.Kubectl.RunWithStdinAsync($$"""
            apiVersion: v1
            kind: Service
            metadata:
              name: {{name}}
            spec:
              type: {{type}}
              {{affinity}}
              ports:
              - {name: tcp, port: 7000, protocol: TCP}
              - {name: udp, port: 7001, protocol: UDP}
            {{(servers.Length == 0 ? "" : "---\n" + Slice(name, servers))}}
            """, "apply", "-f", "-"), $"create service {name} and its slices");
        return IPAddress.Parse(await JsonPathAsync($"service/{name}", "{.spec.clusterIP}"));
    }

    private async Task DeleteAsync(string service)
    {
        Ok(await cluster.Kubectl.RunAsync("delete", $"service/{service}"), $"delete service {service}");
        Ok(await cluster.Kubectl.RunAsync("delete", "endpointslices", "-l", $"kubernetes.io/service-name={service}"), $"delete the slices of {service}");
    }

    /// <summary>One EndpointSlice per server (they share the address 127.0.0.1, so each needs its own port list).</summary>
    private static string Slice(string service, params EchoServer[] servers) =>
        string.Join("\n---\n", servers.Select((s, i) => $$"""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: {{service}}-{{i}}
              labels:
                kubernetes.io/service-name: {{service}}
            addressType: IPv4
            ports:
            - {name: tcp, port: {{s.Port}}, protocol: TCP}
            - {name: udp, port: {{s.Port}}, protocol: UDP}
            endpoints:
            - addresses: ["127.0.0.1"]
              conditions: {ready: true}
            """));

    /// <summary>One line through a new connection: the name of the echo server that answered.</summary>
    private static async Task<string> AskAsync(IPEndPoint address, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address, ct);
        var stream = client.GetStream();
        await stream.WriteAsync("hi\n"u8.ToArray(), ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var line = await reader.ReadLineAsync(ct) ?? throw new IOException("closed without an answer");
        return line.Split(':')[0];
    }

    /// <summary>Asks until one answer came and every one of <paramref name="expected"/> answered (the rules take a moment to arrive); returns the answers.</summary>
    private async Task<List<string>> ReachesAllAsync(IPEndPoint address, IReadOnlyCollection<string> expected, string phase)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var answers = new List<string>();
        string? last = null;
        while (answers.Count == 0 || !expected.All(answers.Contains))
        {
            try
            {
                answers.Add(await AskAsync(address, deadline.Token));
            }
            catch (Exception e) when (e is IOException or SocketException && !deadline.IsCancellationRequested)
            {
                last = e.Message;
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"{phase}: {address} answered only from [{string.Join(", ", answers.Distinct())}], expected [{string.Join(", ", expected)}]; last error: {last}\n{await Nft.ListTableAsync(NftablesCluster.Table)}\n{cluster.RecentOutput()}");
            }
        }
        return answers;
    }

    [Fact]
    public async Task ClusterIPAndNodePort_TcpAndUdp_SpreadOverEndpoints_ThroughKernelRules()
    {
        using var one = new EchoServer("one");
        using var two = new EchoServer("two");
        using var three = new EchoServer("three");
        var clusterIP = await CreateAsync("spread", "NodePort", sticky: false, one, two, three);
        Assert.StartsWith("127.150.", clusterIP.ToString(), StringComparison.Ordinal);

        // Random balancing: 3 endpoints each answer within the deadline (the chance that 60 picks miss one is 3·(2/3)^60).
        await ReachesAllAsync(new IPEndPoint(clusterIP, 7000), ["one", "two", "three"], "the cluster IP spreads over the endpoints");
        var nodePort = int.Parse(await JsonPathAsync("service/spread", "{.spec.ports[?(@.name==\"tcp\")].nodePort}"), System.Globalization.CultureInfo.InvariantCulture);
        await ReachesAllAsync(new IPEndPoint(IPAddress.Parse(cluster.Nodes[0].NodeIp), nodePort), ["one", "two", "three"], "the node port reaches the endpoints");

        // The agent relays nothing: the kernel rewrites the destination, so the reply comes from the cluster IP, and
        // nothing listens on it.
        var rules = await Nft.ListTableAsync(NftablesCluster.Table);
        Assert.NotNull(rules);
        Assert.Contains($"{clusterIP} . tcp . 7000", rules, StringComparison.Ordinal);
        Assert.DoesNotContain(IPGlobalPropertiesListeners(), e => e.Address.Equals(clusterIP));

        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var deadline = new CancellationTokenSource(Deadline);
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
                // Not yet in the rules: send again.
            }
        }
        Assert.EndsWith(":ping", Encoding.ASCII.GetString(reply.Value.Buffer), StringComparison.Ordinal);
        Assert.Equal(new IPEndPoint(clusterIP, 7001), reply.Value.RemoteEndPoint);

        await DeleteAsync("spread");
    }

    private static IPEndPoint[] IPGlobalPropertiesListeners() =>
        System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners();

    [Fact]
    public async Task SessionAffinityClientIP_KeepsTheClientOnOneEndpoint()
    {
        using var one = new EchoServer("one");
        using var two = new EchoServer("two");
        using var three = new EchoServer("three");
        var clusterIP = await CreateAsync("sticky", "ClusterIP", sticky: true, one, two, three);

        var answers = await ReachesAllAsync(new IPEndPoint(clusterIP, 7000), [], "the sticky service answers");
        using var deadline = new CancellationTokenSource(Deadline);
        var first = answers[0];
        for (var i = 0; i < 10; i++)
            Assert.Equal(first, await AskAsync(new IPEndPoint(clusterIP, 7000), deadline.Token));
        Assert.Contains("timeout 3h", await Nft.ListTableAsync(NftablesCluster.Table), StringComparison.Ordinal);

        await DeleteAsync("sticky");
    }

    [Fact]
    public async Task ServiceWithoutEndpoints_RefusesAtOnce_ThenAnEndpointChangeAppliesWhileAnOpenConnectionStays()
    {
        using var one = new EchoServer("one");
        using var two = new EchoServer("two");
        var clusterIP = await CreateAsync("moving", "ClusterIP", sticky: false);
        var address = new IPEndPoint(clusterIP, 7000);

        // No endpoints: the filter chain resets the connection before NAT; it is refused, never left hanging.
        await Waiting.UntilAsync(async () => (await Nft.ListTableAsync(NftablesCluster.Table))?.Contains($"{clusterIP} . tcp . 7000 : goto reject-service", StringComparison.Ordinal) == true,
            Deadline, "the service without endpoints is in the reject map", () => cluster.RecentOutput());
        using (var client = new TcpClient())
        {
            using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var refused = await Assert.ThrowsAsync<SocketException>(async () => await client.ConnectAsync(address, connect.Token));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        Ok(await cluster.Kubectl.RunWithStdinAsync(Slice("moving", one), "apply", "-f", "-"), "give it an endpoint");
        await ReachesAllAsync(address, ["one"], "the first endpoint answers");
        using var open = new TcpClient();
        using var deadline = new CancellationTokenSource(Deadline);
        await open.ConnectAsync(address, deadline.Token);
        var stream = open.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII, false, 1, leaveOpen: true);
        await stream.WriteAsync("first\n"u8.ToArray(), deadline.Token);
        Assert.Equal("one:first", await reader.ReadLineAsync(deadline.Token));

        // The slice now names only the second server: new connections go there; conntrack keeps the open one.
        Ok(await cluster.Kubectl.RunWithStdinAsync(Slice("moving", two), "apply", "-f", "-"), "move the endpoint");
        await Waiting.UntilAsync(async () => await AskAsync(address, deadline.Token) == "two", Deadline, "new connections reach the second endpoint", () => cluster.RecentOutput());
        await stream.WriteAsync("still there\n"u8.ToArray(), deadline.Token);
        Assert.Equal("one:still there", await reader.ReadLineAsync(deadline.Token));

        await DeleteAsync("moving");
    }

    [Fact]
    public async Task RulesOutliveAKilledAgent_AndAreReconciledOnRestart_AndCleanupRemovesATable()
    {
        using var one = new EchoServer("one");
        var clusterIP = await CreateAsync("durable", "ClusterIP", sticky: false, one);
        var address = new IPEndPoint(clusterIP, 7000);
        await ReachesAllAsync(address, ["one"], "the service answers");

        await cluster.KillAgentAsync(NftablesCluster.NodeName);
        try
        {
            using var deadline = new CancellationTokenSource(Deadline);
            Assert.Equal("one", await AskAsync(address, deadline.Token));
        }
        finally
        {
            await cluster.StartAgentAsync(NftablesCluster.NodeName, NftablesCluster.Environment);
        }
        await ReachesAllAsync(address, ["one"], "the service answers after the restart");
        await DeleteAsync("durable");

        // --cleanup (kube-proxy's): another node's name, so the running agent's table stays.
        const string other = "granary-nft-cleanup";
        Assert.Equal(0, (await Nft.RunAsync("add", "table", "ip", other)).ExitCode);
        try
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { RepoPaths.AgentDll, "--cleanup", "--node-name", "nft-cleanup" })
                info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Deadline);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"--cleanup exited with {process.ExitCode}: {await output}{await process.StandardError.ReadToEndAsync()}");
            Assert.Contains(other, await output, StringComparison.Ordinal);
            Assert.Null(await Nft.ListTableAsync(other));
        }
        finally
        {
            await Nft.DeleteTableAsync(other);
        }
    }
}
