using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Api;
using Granary.Certificates;
using Granary.Cli.Certificates;
using Granary.Client;
using Granary.Errors;
using Granary.Model;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Security;

/// <summary>
/// Two nodes (blocks 70 and 71) with their agents, on a silo whose Orleans ports speak mutual TLS and that holds the
/// cluster CA's key (<c>--cluster-ca-key</c>), so the agents' serving certificates come from the cluster CA too.
/// </summary>
public sealed class SecureCluster() : MultiNodeCluster([new ClusterNode("sec-a", 70), new ClusterNode("sec-b", 71)])
{
    protected override IEnumerable<string> SiloArgumentsFor(LabPki pki) => [.. pki.SiloArguments, "--cluster-ca-key", pki.CaKeyPath];
}

/// <summary>
/// The grain surface of a production cluster, with real processes, real TLS and certificates from granary certs:
/// who may connect to the gateway, what a node's certificate may do (Node authorizer and NodeRestriction), which
/// methods no outside caller may use, how a user without rights is told, and silo-to-silo TLS.
/// </summary>
public sealed class GrainSurfaceSecurityTests(SecureCluster cluster) : IClassFixture<SecureCluster>
{
    private static readonly TimeSpan RefusedWithin = TimeSpan.FromSeconds(6);

    private GranaryClientOptions Gateway => new() { Gateways = [cluster.Silo.Gateway], ClusterId = cluster.ClusterId };

    private Task<GranaryClient> ConnectAsAsync(LabCertificate certificate) => GranaryClient.ConnectAsync(cluster.Pki.Client(Gateway, certificate));

    [Fact]
    public async Task Gateway_WithoutACertificate_IsRefused()
    {
        var e = await Assert.ThrowsAsync<GranaryConnectException>(() => GranaryClient.ConnectAsync(Gateway with { ConnectTimeout = RefusedWithin }));
        Assert.Contains("--tls-certificate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_WithASelfSignedCertificate_IsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=admin, O=system:masters", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClusterIdentities.ClientAuth], false));
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var ca = X509CertificateLoader.LoadCertificateFromFile(cluster.Pki.CaPath);

        await Assert.ThrowsAsync<GranaryConnectException>(() => GranaryClient.ConnectAsync(
            Gateway with { ClusterCaCertificate = ca, ClientCertificate = selfSigned, ConnectTimeout = RefusedWithin }));
    }

    [Fact]
    public async Task Gateway_WithACertificateOfAnotherCa_IsRefused()
    {
        using var other = new LabPki();
        var admin = other.Admin;

        await Assert.ThrowsAsync<GranaryConnectException>(() => GranaryClient.ConnectAsync(
            Gateway with { ClusterCa = cluster.Pki.CaPath, TlsCertificate = admin.CertificatePath, TlsKey = admin.KeyPath, ConnectTimeout = RefusedWithin }));
    }

    [Fact]
    public async Task Admin_InSystemMasters_MayDoEverythingTheApiOffers()
    {
        await using var admin = await ConnectAsAsync(cluster.Pki.Admin);

        var created = await admin.Namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = "sec-admin" } });
        var pods = await admin.Pods.ListAsync(new ListOptions { Namespace = "sec-admin" });

        Assert.Equal("sec-admin", created.Metadata.Name);
        Assert.Empty(pods.Items);
    }

    [Fact]
    public async Task User_WithoutRights_IsForbidden_InKubeApiserversWords()
    {
        await using var bob = await ConnectAsAsync(cluster.Pki.User("bob", "developers"));

        var e = await Assert.ThrowsAsync<ForbiddenException>(() => bob.Pods.ListAsync(new ListOptions { Namespace = "default" }));

        Assert.Equal("pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", e.Message);
    }

    [Fact]
    public async Task Cli_AsAUserWithoutRights_PrintsForbidden()
    {
        var bob = cluster.Pki.User("bob", "developers");
        var cli = new CliRunner(new Dictionary<string, string>
        {
            ["GRANARY_GATEWAY"] = cluster.Silo.Gateway, ["GRANARY_CLUSTER_ID"] = cluster.ClusterId,
            ["GRANARY_CLUSTER_CA"] = cluster.Pki.CaPath, ["GRANARY_TLS_CERTIFICATE"] = bob.CertificatePath, ["GRANARY_TLS_KEY"] = bob.KeyPath,
        });

        var r = await cli.RunAsync(["get", "nodes"]);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Error from server (Forbidden): nodes is forbidden: User \"bob\" cannot list resource \"nodes\" in API group \"\" at the cluster scope", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_MayRenewItsOwnLease_ButNotActAsAnotherNode()
    {
        await using var nodeA = await ConnectAsAsync(cluster.Pki.Node("sec-a"));
        await using var admin = await ConnectAsAsync(cluster.Pki.Admin);
        var nodeB = await admin.Nodes.GetAsync(null, "sec-b");

        await nodeA.Grains.GetGrain<INodeGrain>("sec-a").RenewLeaseAsync("sec-a", TimeSpan.FromSeconds(40));
        var lease = await Assert.ThrowsAsync<ForbiddenException>(() => nodeA.Grains.GetGrain<INodeGrain>("sec-b").RenewLeaseAsync("sec-b", TimeSpan.FromSeconds(40)));
        var update = await Assert.ThrowsAsync<ForbiddenException>(() => nodeA.Nodes.UpdateAsync(nodeB with
        {
            Metadata = nodeB.Metadata with { Labels = (nodeB.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty).SetItem("hijacked", "true") },
        }));
        var register = await Assert.ThrowsAsync<ForbiddenException>(() => nodeA.Grains.GetGrain<INodeGrain>("sec-b").RegisterAsync(nodeB));

        Assert.Contains("User \"system:node:sec-a\" cannot update resource \"leases\"", lease.Message, StringComparison.Ordinal);
        Assert.Contains("nodes \"sec-b\" is forbidden: User \"system:node:sec-a\" cannot update resource \"nodes\"", update.Message, StringComparison.Ordinal);
        Assert.Contains("may not modify node \"sec-b\"", register.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_MayNotGiveItselfNodeRestrictionLabels_NorCreatePods()
    {
        await using var nodeA = await ConnectAsAsync(cluster.Pki.Node("sec-a"));
        await using var admin = await ConnectAsAsync(cluster.Pki.Admin);
        var own = await admin.Nodes.GetAsync(null, "sec-a");

        var label = await Assert.ThrowsAsync<ForbiddenException>(() => nodeA.Grains.GetGrain<INodeGrain>("sec-a").RegisterAsync(own with
        {
            Metadata = own.Metadata with { Labels = (own.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty).SetItem("node-restriction.kubernetes.io/trusted", "yes") },
        }));
        var pod = await Assert.ThrowsAsync<ForbiddenException>(() => nodeA.Pods.CreateAsync(TestObjects.Pod("default", "smuggled") with { Spec = TestObjects.Pod("default", "smuggled").Spec with { NodeName = "sec-a" } }));

        Assert.Contains("node-restriction.kubernetes.io/trusted", label.Message, StringComparison.Ordinal);
        Assert.Contains("cannot create resource \"pods\"", pod.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_ReadsTheSecretsItsPodsUse_AndNoOther()
    {
        const string ns = "sec-secrets";
        await using var admin = await ConnectAsAsync(cluster.Pki.Admin);
        await admin.Namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
        foreach (var name in new[] { "used", "unused" })
            await admin.Secrets.CreateAsync(new Secret { Metadata = new ObjectMeta { Name = name, Namespace = ns }, StringData = ImmutableSortedDictionary<string, string>.Empty.Add("k", name) });
        var pod = TestObjects.Pod(ns, "reader");
        await admin.Pods.CreateAsync(pod with
        {
            Spec = pod.Spec with
            {
                NodeName = "sec-a",
                Volumes = [new Volume { Name = "s", Secret = new SecretVolumeSource { SecretName = "used" } }],
            },
        });
        await using var nodeA = await ConnectAsAsync(cluster.Pki.Node("sec-a"));
        await using var nodeB = await ConnectAsAsync(cluster.Pki.Node("sec-b"));

        var read = await nodeA.Grains.GetGrain<INodeAgentGrain>("sec-a").ReadPodConfigAsync(ns, [], ["used"]);
        var direct = await nodeA.Secrets.GetAsync(ns, "used");
        var unused = await Assert.ThrowsAsync<ForbiddenException>(() => nodeA.Secrets.GetAsync(ns, "unused"));
        var otherNode = await Assert.ThrowsAsync<ForbiddenException>(() => nodeB.Secrets.GetAsync(ns, "used"));

        Assert.Equal("used", Assert.Single(read.Secrets).Metadata.Name);
        Assert.Equal("used", direct.Metadata.Name);
        Assert.Contains("secrets \"unused\" is forbidden: User \"system:node:sec-a\"", unused.Message, StringComparison.Ordinal);
        Assert.Contains("no relationship found between node 'sec-b' and this object", otherNode.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushToAgentMethods_AreRefusedToEveryOutsideCaller_EvenTheAdmin()
    {
        await using var nodeA = await ConnectAsAsync(cluster.Pki.Node("sec-a"));
        await using var admin = await ConnectAsAsync(cluster.Pki.Admin);
        var exec = new PodExecRequest { Namespace = "default", Pod = "any", Command = ["id"] };

        var byNode = await Assert.ThrowsAsync<ForbiddenException>(() => nodeA.Grains.GetGrain<INodeAgentGrain>("sec-a").ExecAsync(exec));
        var byAdmin = await Assert.ThrowsAsync<ForbiddenException>(() => admin.Grains.GetGrain<INodeAgentGrain>("sec-b").ExecAsync(exec));
        var logs = await Assert.ThrowsAsync<ForbiddenException>(() => admin.Grains.GetGrain<INodeAgentGrain>("sec-b").ReadLogsAsync(new PodLogRequest { Namespace = "default", Pod = "any" }));
        // A silo's client certificate opens every agent's server: a node may not have one signed (only system:masters may).
        var siloCertificate = await Assert.ThrowsAsync<ForbiddenException>(() => nodeA.Grains.GetGrain<IClusterCertificateAuthorityGrain>(IClusterCertificateAuthorityGrain.Key).SignSiloClientAsync("x"));

        Assert.Contains("INodeAgentGrain.ExecAsync: it is internal to the silos", byNode.Message, StringComparison.Ordinal);
        Assert.Contains("INodeAgentGrain.ExecAsync: it is internal to the silos", byAdmin.Message, StringComparison.Ordinal);
        Assert.Contains("INodeAgentGrain.ReadLogsAsync", logs.Message, StringComparison.Ordinal);
        Assert.Contains("certificatesigningrequests/siloclient", siloCertificate.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A would-be silo at the TLS handshake of the silo port: only a silo certificate of the cluster CA gets in; a node's
    /// or a user's certificate of that CA, or a silo certificate of another CA, is refused, and the silo logs why.
    /// TLS 1.2, so a refused client certificate fails the handshake itself (in TLS 1.3 the client learns it later).
    /// </summary>
    [Theory]
    [InlineData("silo", true, null)]
    [InlineData("node", false, "does not name a silo")]
    [InlineData("admin", false, "does not name a silo")]
    [InlineData("silo of another CA", false, "does not chain to the cluster CA")]
    public async Task SiloPort_AdmitsOnlySiloCertificatesOfTheClusterCa_AndLogsEveryRefusal(string presented, bool admitted, string? logged)
    {
        using var other = new LabPki();
        var certificate = presented switch
        {
            "silo" => cluster.Pki.Silo,
            "node" => cluster.Pki.Node("sec-a"),
            "admin" => cluster.Pki.Admin,
            _ => other.Silo,
        };
        using var pem = X509Certificate2.CreateFromPemFile(certificate.CertificatePath, certificate.KeyPath);
        // A certificate with its key as the platform's TLS wants it (an ephemeral PEM key is refused as a client credential).
        using var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, cluster.Silo.SiloPort);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(cluster.Pki.CaPath);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            EnabledSslProtocols = SslProtocols.Tls12,
            ClientCertificates = [client],
            // The silo's side is checked as another silo checks it: a silo certificate of the cluster CA.
            RemoteCertificateValidationCallback = (_, served, _, _) => served is X509Certificate2 silo && ClusterIdentities.SiloServerProblem(silo, ca, DateTimeOffset.UtcNow) is null,
        };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var handshake = await Record.ExceptionAsync(() => tls.AuthenticateAsClientAsync(options, deadline.Token));
        // .NET's server checks a client certificate once the handshake is done and then closes: a refusal is the
        // connection ending at once. A silo that was admitted waits for the caller's first message instead.
        var closed = handshake is not null || await ClosedWithinAsync(tls, TimeSpan.FromSeconds(admitted ? 3 : 20));

        if (admitted)
        {
            Assert.False(closed, $"the silo's own certificate was refused on the silo port ({handshake?.Message ?? "closed after the handshake"})");
            return;
        }
        Assert.True(closed, $"the {presented} certificate was admitted to the silo port");
        var line = await cluster.Silo.Process.WaitForLineAsync("Refused a TLS peer on the silo port: the certificate " + certificate.Subject, TimeSpan.FromSeconds(10), $"the silo logging why it refused the {presented} certificate");
        Assert.Contains(logged!, line, StringComparison.Ordinal);
    }

    /// <summary>
    /// With --cluster-ca-key the agents' port-10250 serving certificates are issued by the cluster CA itself (for the
    /// node's name and address), and the silo, which verifies the agent's certificate, reaches the agent's server
    /// through them (the API's nodes/NAME/proxy). Without the key (every other cluster) they come from a CA kept in Redis.
    /// </summary>
    [Fact]
    public async Task WithTheClusterCaKey_AgentsServeWithCertificatesOfTheClusterCa_ThatTheSiloVerifies()
    {
        var node = cluster.Nodes[0];
        var status = (await cluster.Client.Nodes.GetAsync(null, node.Name)).Status!;
        var port = status.DaemonEndpoints!.KubeletEndpoint!.Port;
        var address = IPAddress.Parse(status.Addresses!.First(a => a.Type == "InternalIP").Address);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(cluster.Pki.CaPath);
        // Checked as the silo checks it: the serving certificate of this node, from the cluster CA alone.
        string? problem = "no certificate";
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = address.ToString(),
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                (problem = certificate is X509Certificate2 agent ? ClusterIdentities.NodeServingProblem(agent, ca, address, node.Name, DateTimeOffset.UtcNow) : "no certificate") is null,
        });
        using var served = X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());

        var healthz = await cluster.Kubectl.RunAsync("get", "--raw", $"/api/v1/nodes/{node.Name}/proxy/healthz");

        Assert.Null(problem);
        Assert.Equal(ca.Subject, served.Issuer);
        Assert.True(healthz.ExitCode == 0 && healthz.Stdout == "ok", $"the silo did not reach the agent's server: {healthz}");
    }

    /// <summary>Whether the server ends the connection within <paramref name="wait"/> (false: it is still open, waiting).</summary>
    private static async Task<bool> ClosedWithinAsync(SslStream tls, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await tls.ReadAsync(new byte[1], timeout.Token) == 0;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            return true;
        }
    }

    [Fact]
    public async Task SecondSilo_JoinsOverMutualTls_AndServesTheSameObjects()
    {
        await using var second = await SiloProcess.StartAsync(cluster.Redis, cluster.ClusterId, SiloProcess.AgentlessNodes);
        await using var viaSecond = await GranaryClient.ConnectAsync(cluster.Pki.Client(new GranaryClientOptions { Gateways = [second.Gateway], ClusterId = cluster.ClusterId }));
        await using var viaFirst = await ConnectAsAsync(cluster.Pki.Admin);

        var status = await viaSecond.GetClusterStatusAsync();
        // Grains spread over both silos: every namespace's grain call from one gateway may cross the silo-to-silo link.
        for (var i = 0; i < 8; i++)
            await viaSecond.Namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = $"sec-two-{i}" } });
        var seen = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => viaFirst.Namespaces.GetAsync(null, $"sec-two-{i}")));

        Assert.Equal(2, status.Silos.Length);
        Assert.All(seen, n => Assert.StartsWith("sec-two-", n.Metadata.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProductionSilo_WithoutCertificates_RefusesToStart_NamingGranaryCerts()
    {
        int siloPort = FreePort.Next(), gatewayPort = FreePort.Next(), apiPort = FreePort.Next();
        var dir = Directory.CreateTempSubdirectory("granary-notls-").FullName;
        try
        {
            var args = SiloProcess.Arguments(siloPort, gatewayPort, apiPort, Path.Combine(dir, "kubeconfig"), cluster.Redis, cluster.ClusterId, ["--cluster-ca", ""]);
            var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args)
                info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(cts.Token);

            Assert.Equal(2, process.ExitCode);
            Assert.Contains("granary certs ca --dir DIR", await stderr, StringComparison.Ordinal);
            Assert.Contains("--orleans-tls=false", await stderr, StringComparison.Ordinal);
            _ = await stdout;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
