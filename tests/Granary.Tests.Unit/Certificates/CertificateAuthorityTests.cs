using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Certificates;
using Granary.Errors;
using Granary.Grains.Certificates;
using Granary.NodeAgent.Server.Certificates;

namespace Granary.Tests.Unit.Certificates;

public sealed class CertificateAuthorityTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress NodeIp = IPAddress.Parse("127.0.0.75");
    private readonly CertificateAuthority _ca = CertificateAuthority.Create(Now).Authority;
    private readonly X509Certificate2 _caCertificate;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public CertificateAuthorityTests() => _caCertificate = X509Certificate2.CreateFromPem(_ca.CertificatePem);

    public void Dispose()
    {
        _ca.Dispose();
        _caCertificate.Dispose();
        _key.Dispose();
    }

    [Fact]
    public void SignNodeServing_TheAgentsRequest_ServerCertificateForTheNodesNameAndAddress()
    {
        using var certificate = _ca.SignNodeServing("n1", ServingRenewal.Request(_key, "n1", NodeIp), [NodeIp], Now);

        Assert.Equal("CN=system:node:n1, O=system:nodes", certificate.Subject);
        Assert.Null(ClusterIdentities.NodeServingProblem(certificate, _caCertificate, NodeIp, "n1", Now));
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["n1"], names.EnumerateDnsNames());
        Assert.Equal([NodeIp], names.EnumerateIPAddresses());
        Assert.Equal((Now + CertificateAuthority.NodeServingLifetime).UtcDateTime, certificate.NotAfter.ToUniversalTime());
        // Not a client certificate: a node cannot pass for a silo.
        Assert.NotNull(ClusterIdentities.SiloClientProblem(certificate, _caCertificate, Now));
        Assert.Contains("not valid for the node's address 127.0.0.76",
            ClusterIdentities.NodeServingProblem(certificate, _caCertificate, IPAddress.Parse("127.0.0.76"), null, Now), StringComparison.Ordinal);
        Assert.Contains("not of system:node:n2", ClusterIdentities.NodeServingProblem(certificate, _caCertificate, NodeIp, "n2", Now), StringComparison.Ordinal);
    }

    [Fact]
    public void SignNodeServing_AnotherNodesName_InvalidNamingTheSubject()
    {
        var error = Assert.Throws<InvalidException>(() => _ca.SignNodeServing("n1", ServingRenewal.Request(_key, "n2", NodeIp), [NodeIp], Now));

        Assert.Contains(error.Causes, c => c.Field == "spec.request (subject CN)" && c.Detail.Contains("must be CN=system:node:n1", StringComparison.Ordinal));
        Assert.Contains(error.Causes, c => c.Detail.Contains("the DNS name \"n2\" is not the node's name \"n1\"", StringComparison.Ordinal));
    }

    [Fact]
    public void SignNodeServing_AnAddressTheNodeDoesNotReport_Forbidden()
    {
        var error = Assert.Throws<InvalidException>(() => _ca.SignNodeServing("n1", ServingRenewal.Request(_key, "n1", IPAddress.Parse("10.0.0.9")), [NodeIp], Now));

        var cause = Assert.Single(error.Causes);
        Assert.Equal(("spec.request", "Forbidden"), (cause.Field, cause.Type));
        Assert.Contains("the address 10.0.0.9 is not one of node n1's addresses (127.0.0.75)", cause.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void SignNodeServing_NotARequest_Invalid()
    {
        var error = Assert.Throws<InvalidException>(() => _ca.SignNodeServing("n1", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----", [NodeIp], Now));

        Assert.Equal("spec.request", Assert.Single(error.Causes).Field);
    }

    [Fact]
    public void SignNodeServing_WeakRsaKey_Invalid()
    {
        using var rsa = RSA.Create(1024);
        var request = new CertificateRequest("CN=system:node:n1, O=system:nodes", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(NodeIp);
        request.CertificateExtensions.Add(names.Build());

        var error = Assert.Throws<InvalidException>(() => _ca.SignNodeServing("n1", request.CreateSigningRequestPem(), [NodeIp], Now));

        Assert.Contains("1024 bits is too weak", Assert.Single(error.Causes).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void SignSiloClient_ASilosRequest_ShortLivedClientCertificateOfTheMastersGroup()
    {
        using var certificate = _ca.SignSiloClient(SiloRequest("CN=granary-silo-host1, O=system:masters"), Now);

        Assert.Null(ClusterIdentities.SiloClientProblem(certificate, _caCertificate, Now));
        Assert.Equal((Now + CertificateAuthority.SiloClientLifetime).UtcDateTime, certificate.NotAfter.ToUniversalTime());
        Assert.NotNull(ClusterIdentities.NodeServingProblem(certificate, _caCertificate, NodeIp, null, Now));
        Assert.Contains("does not chain", ClusterIdentities.SiloClientProblem(certificate, _caCertificate, Now.AddDays(2)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CN=granary-silo-host1, O=system:nodes", "spec.request (subject O)")]
    [InlineData("CN=system:node:n1, O=system:masters", "spec.request (subject CN)")]
    [InlineData("CN=granary-silo-, O=system:masters", "spec.request (subject CN)")]
    public void SignSiloClient_NotASilosSubject_InvalidNamingTheField(string subject, string field)
    {
        var error = Assert.Throws<InvalidException>(() => _ca.SignSiloClient(SiloRequest(subject), Now));

        Assert.Equal(field, Assert.Single(error.Causes).Field);
    }

    [Fact]
    public void SiloClientProblem_SelfSignedLookalike_DoesNotChain()
    {
        var request = new CertificateRequest("CN=granary-silo-x, O=system:masters", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClusterIdentities.ClientAuth], critical: false));
        using var selfSigned = request.CreateSelfSigned(Now.AddMinutes(-1), Now.AddHours(1));

        Assert.StartsWith("it does not chain to the cluster CA", ClusterIdentities.SiloClientProblem(selfSigned, _caCertificate, Now), StringComparison.Ordinal);
    }

    [Fact]
    public void Covers_NearTheCasEnd_False()
    {
        Assert.True(_ca.Covers(Now, CertificateAuthority.NodeServingLifetime));
        Assert.False(_ca.Covers(Now + CertificateAuthority.AuthorityLifetime - TimeSpan.FromDays(10), CertificateAuthority.NodeServingLifetime));
    }

    private string SiloRequest(string subject) =>
        new CertificateRequest(subject, _key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
}
