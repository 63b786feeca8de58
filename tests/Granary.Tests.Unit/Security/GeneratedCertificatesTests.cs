using System.Net;
using System.Security.Cryptography.X509Certificates;
using Granary.Silo.Security;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.Security;

public sealed class GeneratedCertificatesTests : IDisposable
{
    private static readonly SubjectAlternativeNames Names = SubjectAlternativeNames.For(IPAddress.Loopback, "node-1");
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-certs-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private string Tls => Path.Combine(_dir, "tls");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Provision_FirstStart_MakesACaAndAServingCertificateItIssued()
    {
        var served = new GeneratedCertificates(Tls, _time).Provision(Names);

        using var ca = X509Certificate2.CreateFromPem(served.CaPem);
        Assert.True(served.Certificate.HasPrivateKey);
        Assert.True(Names.CoveredBy(served.Certificate));
        Assert.True(Verifies(served.Certificate, ca), "the serving certificate does not chain to the CA");
        Assert.Equal(File.ReadAllText(Path.Combine(Tls, "ca.crt")), served.CaPem);
        Assert.Equal(_time.GetUtcNow().AddDays(365).UtcDateTime, served.Certificate.NotAfter.ToUniversalTime());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Tls, "ca.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Tls, "serving.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(Path.Combine(Tls, "ca.crt")));
        Assert.DoesNotContain("PRIVATE KEY", served.CaPem, StringComparison.Ordinal);
    }

    [Fact]
    public void Provision_LaterStart_ReusesBoth()
    {
        var first = new GeneratedCertificates(Tls, _time).Provision(Names);
        _time.Advance(TimeSpan.FromDays(200));

        var generated = new GeneratedCertificates(Tls, _time);
        var second = generated.Provision(Names);

        Assert.Equal(first.CaPem, second.CaPem);
        Assert.Equal(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.Null(generated.Reissued);
    }

    [Fact]
    public void Provision_NewApiAddress_ReissuesTheServingCertificateFromTheSameCa()
    {
        var first = new GeneratedCertificates(Tls, _time).Provision(Names);
        var moved = SubjectAlternativeNames.For(IPAddress.Parse("127.0.0.7"), "node-1");

        var generated = new GeneratedCertificates(Tls, _time);
        var second = generated.Provision(moved);

        using var ca = X509Certificate2.CreateFromPem(first.CaPem);
        Assert.Equal(first.CaPem, second.CaPem);
        Assert.NotEqual(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.True(moved.CoveredBy(second.Certificate));
        Assert.True(Verifies(second.Certificate, ca));
        Assert.StartsWith("it was not valid for all of localhost, node-1, 127.0.0.1, 127.0.0.7", generated.Reissued, StringComparison.Ordinal);
        // Stored for the next start.
        Assert.Equal(second.Certificate.Thumbprint, new GeneratedCertificates(Tls, _time).Provision(moved).Certificate.Thumbprint);
    }

    [Fact]
    public void Provision_ServingCertificateNearItsEnd_IsReissued()
    {
        var first = new GeneratedCertificates(Tls, _time).Provision(Names);
        _time.Advance(TimeSpan.FromDays(365) - GeneratedCertificates.RenewBefore + TimeSpan.FromDays(1));

        var generated = new GeneratedCertificates(Tls, _time);
        var second = generated.Provision(Names);

        Assert.NotEqual(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.Equal(first.CaPem, second.CaPem);
        Assert.StartsWith("it expires on 2031-01-01", generated.Reissued, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_ManySilosAtOnce_AllUseTheSameFiles()
    {
        using var start = new Barrier(8);
        var provisions = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return new GeneratedCertificates(Tls, _time).Provision(Names);
        }));

        var served = await Task.WhenAll(provisions);

        Assert.Single(served.Select(s => s.CaPem).Distinct());
        Assert.Single(served.Select(s => s.Certificate.Thumbprint).Distinct());
        Assert.Equal(["ca.crt", "ca.pem", "serving.pem"], Directory.GetFiles(Tls).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Provision_CorruptCaFile_SaysToDeleteTheFolder()
    {
        Directory.CreateDirectory(Tls);
        File.WriteAllText(Path.Combine(Tls, "ca.pem"), "not a certificate");

        var e = Assert.Throws<ApiSecurityException>(() => new GeneratedCertificates(Tls, _time).Provision(Names));

        Assert.Contains("ca.pem is not a PEM certificate with its private key", e.Message, StringComparison.Ordinal);
    }

    private bool Verifies(X509Certificate2 serving, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        return chain.Build(serving);
    }
}
