using Granary.Tools;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Silo.Security;

/// <summary>
/// A self-signed CA and a serving certificate it issued, made on first start and kept in a folder beside the
/// kubeconfig (~/.granary/tls), as k3s does. Later starts reuse them, so kubeconfigs written earlier keep working.
/// <list type="bullet">
/// <item><c>ca.pem</c> (0600): the CA certificate and key in one file, so the pair can never be half written.</item>
/// <item><c>ca.crt</c> (0644): the CA certificate alone, for other clients (<c>curl --cacert</c>).</item>
/// <item><c>serving.pem</c> (0600): the serving certificate and key, re-issued from the CA when they no longer fit
/// (a new listen address or host name, or less than <see cref="RenewBefore"/> of validity left).</item>
/// </list>
/// Several silos sharing the folder may start at once: each file is created once (the first writer wins and the others
/// use what it wrote) or replaced whole, so every silo ends up with a certificate from the same CA.
/// </summary>
internal sealed class GeneratedCertificates(string directory, TimeProvider time)
{
    public const string CaFile = "ca.pem";
    public const string CaCertificateFile = "ca.crt";
    public const string ServingFile = "serving.pem";

    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan ServingLifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(90);

    /// <summary>Why the stored serving certificate was replaced at this start, or null when it was reused or new.</summary>
    public string? Reissued { get; private set; }

    public ServingCertificate Provision(SubjectAlternativeNames names)
    {
        PrivateFile.EnsureDirectory(directory);
        var caPath = Path.Combine(directory, CaFile);
        using var ca = Load(caPath, PrivateFile.CreateOnce(caPath, NewCa(), PrivateFile.OwnerOnly));
        if (!ca.HasPrivateKey || !IsCa(ca))
            throw new ApiSecurityException($"{caPath} does not hold a CA certificate and its key: delete the folder {directory} and start again to generate new ones.");
        var caPem = ca.ExportCertificatePem() + "\n";
        var caCertificatePath = Path.Combine(directory, CaCertificateFile);
        if (!File.Exists(caCertificatePath) || File.ReadAllText(caCertificatePath) != caPem)
            PrivateFile.Replace(caCertificatePath, caPem, PrivateFile.WorldReadable);

        var servingPath = Path.Combine(directory, ServingFile);
        // The certificate is served for the silo's lifetime: the returned ServingCertificate carries it to Kestrel, which keeps it.
#pragma warning disable CA2000
        var serving = Load(servingPath, PrivateFile.CreateOnce(servingPath, NewServing(ca, names), PrivateFile.OwnerOnly));
#pragma warning restore CA2000
        if (Unfit(serving, ca, names) is { } why)
        {
            serving.Dispose();
            Reissued = why;
            var pem = NewServing(ca, names);
            PrivateFile.Replace(servingPath, pem, PrivateFile.OwnerOnly);
            serving = Load(servingPath, pem);
        }
        return new ServingCertificate(serving, [], caPem, $"generated, CA {caCertificatePath}");
    }

    /// <summary>Why <paramref name="serving"/> cannot be served for <paramref name="names"/>, or null when it can.</summary>
    private string? Unfit(X509Certificate2 serving, X509Certificate2 ca, SubjectAlternativeNames names)
    {
        var now = time.GetUtcNow();
        if (!serving.HasPrivateKey)
            return "it had no private key";
        if (!IssuedBy(serving, ca, now))
            return "it was not issued by the CA in this folder";
        if (serving.NotAfter.ToUniversalTime() - now < RenewBefore)
            return $"it expires on {serving.NotAfter.ToUniversalTime():yyyy-MM-dd}";
        if (!names.CoveredBy(serving))
            return $"it was not valid for all of {names}";
        return null;
    }

    private static bool IssuedBy(X509Certificate2 serving, X509Certificate2 ca, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(serving);
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    private static X509Certificate2 Load(string path, string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem, pem);
        }
        catch (CryptographicException e)
        {
            throw new ApiSecurityException($"{path} is not a PEM certificate with its private key ({e.Message}): delete it and start again to generate a new one.", e);
        }
    }

    private string NewCa()
    {
        var now = time.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=granary-ca@{now.ToUnixTimeSeconds()}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        // Back-dated a little: another machine's clock may be slightly behind.
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + CaLifetime);
        return certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    private string NewServing(X509Certificate2 ca, SubjectAlternativeNames names)
    {
        var now = time.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=granary-apiserver", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "serverAuth")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(names.ToExtension());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        var notAfter = Min(now + ServingLifetime, new DateTimeOffset(ca.NotAfter.ToUniversalTime()));
        using var certificate = request.Create(ca, now.AddMinutes(-5), notAfter, serial);
        return certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
