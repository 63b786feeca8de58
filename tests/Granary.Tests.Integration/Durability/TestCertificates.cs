using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Tests.Integration.Durability;

/// <summary>A throwaway CA and a server certificate for 127.0.0.1 it issued, written as PEM files for redis-server.</summary>
internal static class TestCertificates
{
    public sealed record Files(string Ca, string Certificate, string Key);

    public static Files Write(string dir)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=granary-test-redis-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4, 5, 6, 7, 8]);

        var files = new Files(Path.Combine(dir, "ca.pem"), Path.Combine(dir, "redis.pem"), Path.Combine(dir, "redis-key.pem"));
        File.WriteAllText(files.Ca, ca.ExportCertificatePem());
        File.WriteAllText(files.Certificate, server.ExportCertificatePem());
        File.WriteAllText(files.Key, serverKey.ExportPkcs8PrivateKeyPem());
        return files;
    }
}
