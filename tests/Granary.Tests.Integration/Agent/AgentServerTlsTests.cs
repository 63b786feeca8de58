using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Api;
using Granary.Certificates;
using Granary.Errors;
using Granary.Model;
using Granary.Silo.Streams;
using Granary.Tests.Integration.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Granary.Tests.Integration.Agent;

/// <summary>One node (block 65) whose agent serves TLS; block 66's address is an impostor's server in the test.</summary>
public sealed class TlsCluster() : MultiNodeCluster([new ClusterNode(AgentServerTlsTests.NodeName, 65)]);

/// <summary>
/// The agent's server and the silo's dialer over mutual TLS with the cluster CA: the agent serves a certificate for its
/// node from the CA and answers only clients with a silo's certificate from that CA; the silo's dialer gets its own
/// certificate the way a silo does and refuses an agent whose certificate is not the cluster's.
/// </summary>
public sealed class AgentServerTlsTests(TlsCluster cluster, ITestOutputHelper output) : IClassFixture<TlsCluster>
{
    public const string NodeName = "tls-a";
    private const string ImpostorNode = "tls-impostor";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AgentServer_SiloCertificate_AnswersOverTls_WithTheNodesCertificateFromTheClusterCa()
    {
        var (address, port) = await AgentAddressAsync();
        using var silo = await SiloCertificateAsync();
        X509Certificate2? served = null;
        using var http = await ClientAsync(silo.Certificate, certificate => served = certificate);

        var body = await http.GetStringAsync(new Uri($"https://{address}:{port}/healthz"));

        Assert.Equal("ok", body);
        Assert.NotNull(served);
        using var authority = X509Certificate2.CreateFromPem(silo.AuthorityPem);
        Assert.Null(ClusterIdentities.NodeServingProblem(served, authority, IPAddress.Parse(address), NodeName, DateTimeOffset.UtcNow));
        Assert.Equal($"CN=system:node:{NodeName}, O=system:nodes", served.Subject);
        var names = served.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal([NodeName], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse(address)], names.EnumerateIPAddresses());
        var key = new FileInfo(Path.Combine(cluster.AgentOptions(NodeName).StateDir, "pki", "kubelet-serving.key"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, key.UnixFileMode);
    }

    [Fact]
    public async Task AgentServer_NoClientCertificate_Refused()
    {
        var (address, port) = await AgentAddressAsync();
        using var http = await ClientAsync(null);

        await AssertRefusedAsync(http, new Uri($"https://{address}:{port}/healthz"));
    }

    [Fact]
    public async Task AgentServer_SelfSignedSiloLookalike_Refused()
    {
        var (address, port) = await AgentAddressAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=granary-silo-impostor, O=system:masters", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClusterIdentities.ClientAuth], critical: false));
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var http = await ClientAsync(selfSigned);

        await AssertRefusedAsync(http, new Uri($"https://{address}:{port}/healthz"));
    }

    [Fact]
    public async Task AgentServer_ANodesCertificateAsClient_Refused()
    {
        // A node's certificate is from the cluster CA too, but it is no silo's: one node cannot reach another's server.
        var (address, port) = await AgentAddressAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(ClusterIdentities.NodeUser(NodeName));
        subject.AddOrganizationName(ClusterIdentities.NodesGroup);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Parse(address));
        request.CertificateExtensions.Add(names.Build());
        var issued = await Authority.SignNodeServingAsync(NodeName, request.CreateSigningRequestPem());
        using var signed = X509Certificate2.CreateFromPem(issued.CertificatePem);
        using var node = signed.CopyWithPrivateKey(key);
        using var http = await ClientAsync(node);

        await AssertRefusedAsync(http, new Uri($"https://{address}:{port}/healthz"));
    }

    [Fact]
    public async Task AgentDialer_AsASiloDoes_ReachesTheAgentOverMutualTls()
    {
        await AgentAddressAsync();
        using var credentials = new AgentClientCredentials(cluster.Client.Grains, TimeProvider.System);
        using var dialer = new AgentDialer(cluster.Client.Grains, credentials);

        var baseUri = await dialer.ResolveAsync(NodeName, CancellationToken.None);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "healthz"));
        using var response = await dialer.Http.SendAsync(request, CancellationToken.None);

        Assert.Equal("https", baseUri.Scheme);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal($"CN={credentials.CommonName}, O=system:masters", credentials.Certificate!.Subject);
    }

    [Fact]
    public async Task AgentDialer_ServerWithoutAClusterCertificate_Is503NamingTheNodeAndTheProblem()
    {
        // An impostor on block 66's address with a self-signed certificate, registered as a node's agent.
        var address = "127.0.0.76";
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=system:node:{ImpostorNode}, O=system:nodes", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Parse(address));
        request.CertificateExtensions.Add(names.Build());
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(address), port, l => l.UseHttps(selfSigned)));
        await using var impostor = builder.Build();
        impostor.MapGet("/healthz", () => Results.Text("ok"));
        await impostor.StartAsync();
        await cluster.Client.Grains.GetGrain<INodeGrain>(ImpostorNode).RegisterAsync(new Node
        {
            Metadata = new ObjectMeta { Name = ImpostorNode },
            Status = new NodeStatus
            {
                Addresses = [new NodeAddress { Type = "InternalIP", Address = address }],
                DaemonEndpoints = new NodeDaemonEndpoints { KubeletEndpoint = new DaemonEndpoint { Port = port } },
            },
        });
        using var credentials = new AgentClientCredentials(cluster.Client.Grains, TimeProvider.System);
        using var dialer = new AgentDialer(cluster.Client.Grains, credentials);

        var baseUri = await dialer.ResolveAsync(ImpostorNode, CancellationToken.None);
        var error = await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
            dialer.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "healthz")), CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Equal(503, error.Code);
        Assert.Contains($"node \"{ImpostorNode}\" at {address}:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not chain to the cluster CA", error.Message, StringComparison.Ordinal);
    }

    private IClusterCertificateAuthorityGrain Authority =>
        cluster.Client.Grains.GetGrain<IClusterCertificateAuthorityGrain>(IClusterCertificateAuthorityGrain.Key);

    /// <summary>The node's agent address and port, once the agent has its serving certificate.</summary>
    private async Task<(string Address, int Port)> AgentAddressAsync()
    {
        await cluster.Agent(NodeName).Process.WaitForLineAsync("has a new serving certificate from the cluster CA", Timeout,
            $"the agent of {NodeName} getting its serving certificate");
        var node = (Node)await ResourceGrains.GetAsync(cluster.Client.Grains, ResourceKinds.Node, NodeName);
        return (node.Status!.Addresses!.Single(a => a.Type == "InternalIP").Address, node.Status.DaemonEndpoints!.KubeletEndpoint!.Port);
    }

    /// <summary>A silo's client certificate, obtained from the cluster CA as a silo obtains its own.</summary>
    private async Task<SiloCertificate> SiloCertificateAsync()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(ClusterIdentities.SiloUserPrefix + "test");
        subject.AddOrganizationName(ClusterIdentities.MastersGroup);
        var issued = await Authority.SignSiloClientAsync(new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256).CreateSigningRequestPem());
        using var signed = X509Certificate2.CreateFromPem(issued.CertificatePem);
        return new SiloCertificate(signed.CopyWithPrivateKey(key), issued.AuthorityPem, key);
    }

    private sealed record SiloCertificate(X509Certificate2 Certificate, string AuthorityPem, IDisposable Key) : IDisposable
    {
        public void Dispose()
        {
            Certificate.Dispose();
            Key.Dispose();
        }
    }

    /// <summary>
    /// An HTTPS client presenting <paramref name="certificate"/> (or none) that accepts only the serving certificate of
    /// <see cref="NodeName"/> from the cluster CA, and shows it to <paramref name="seen"/>.
    /// </summary>
    private async Task<HttpClient> ClientAsync(X509Certificate2? certificate, Action<X509Certificate2>? seen = null)
    {
        // The returned client's certificate check uses the CA for as long as the client lives (one test).
#pragma warning disable CA2000
        var authority = X509Certificate2.CreateFromPem(await Authority.GetAuthorityAsync());
#pragma warning restore CA2000
        return new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                LocalCertificateSelectionCallback = certificate is null ? null : (_, _, _, _, _) => certificate,
                RemoteCertificateValidationCallback = (sender, served, _, _) =>
                {
                    if (served is null || !IPAddress.TryParse(((SslStream)sender).TargetHostName, out var address))
                        return false;
                    var node = X509CertificateLoader.LoadCertificate(served.GetRawCertData());
                    seen?.Invoke(node);
                    return ClusterIdentities.NodeServingProblem(node, authority, address, NodeName, DateTimeOffset.UtcNow) is null;
                },
            },
            PooledConnectionLifetime = TimeSpan.Zero,
        })
        { Timeout = TimeSpan.FromSeconds(20) };
    }

    private static async Task AssertRefusedAsync(HttpClient http, Uri uri)
    {
        // TLS 1.3 may report a refused client certificate after the client's side of the handshake: on the first read.
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(uri));
        Assert.True(Chain(error).Any(e => e is AuthenticationException or IOException),
            $"expected a TLS refusal, got: {string.Join(" <- ", Chain(error).Select(e => $"{e.GetType().Name}: {e.Message}"))}");
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            yield return current;
    }
}
