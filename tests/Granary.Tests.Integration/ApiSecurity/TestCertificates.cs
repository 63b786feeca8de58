using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Tests.Integration.ApiSecurity;

/// <summary>An operator's own CA and a serving certificate it issued for 127.0.0.1, written as PEM files.</summary>
public sealed record TestCertificates(string CertificatePath, string KeyPath, string CaPath, string Thumbprint)
{
    public static TestCertificates Write(string dir)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=operator-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(30));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=operator-api", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leaf = request.Create(ca, now.AddHours(-1), now.AddDays(10), [1, 2, 3, 4]);

        var certificates = new TestCertificates(Path.Combine(dir, "api.crt"), Path.Combine(dir, "api.key"), Path.Combine(dir, "ca.crt"), leaf.Thumbprint);
        File.WriteAllText(certificates.CertificatePath, leaf.ExportCertificatePem());
        File.WriteAllText(certificates.KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificates.CaPath, ca.ExportCertificatePem());
        return certificates;
    }
}
