using System.Collections.Immutable;
using System.Diagnostics;
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

/// <summary>Two nodes (blocks 70 and 71) with their agents, on a silo whose Orleans ports speak mutual TLS.</summary>
public sealed class SecureCluster() : MultiNodeCluster([new ClusterNode("sec-a", 70), new ClusterNode("sec-b", 71)]);

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
