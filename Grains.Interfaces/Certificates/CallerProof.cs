using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Granary.Certificates;

/// <summary>
/// How a caller of the grain surface proves who it is in each request's RequestContext. Orleans' gateway does not
/// bind a message to the TLS connection it came on, and RequestContext is whatever the caller put there, so neither
/// names the caller by itself. The proof is the caller's certificate and a signature, by that certificate's private
/// key, over a string bound to the cluster: only the key's holder can make it, for this cluster only. It is sent only
/// inside the caller's own mutual TLS connections, so it is as secret as a bearer token; silos never send a client's
/// proof (or their own) to a client. The silo verifies a proof once and caches it until the certificate expires.
/// </summary>
public static class CallerProof
{
    /// <summary>The RequestContext key the proof travels under.</summary>
    public const string RequestContextKey = "granary.caller";

    private const string Version = "v1";

    /// <summary>Makes the proof of <paramref name="certificate"/> (with its private key, ECDSA or RSA) for cluster <paramref name="clusterId"/>.</summary>
    public static string Create(X509Certificate2 certificate, string clusterId)
    {
        var data = SignedData(certificate, clusterId);
        byte[] signature;
        using (var ecdsa = certificate.GetECDsaPrivateKey())
        using (var rsa = ecdsa is null ? certificate.GetRSAPrivateKey() : null)
        {
            signature = ecdsa is not null ? ecdsa.SignData(data, HashAlgorithmName.SHA256)
                : rsa is not null ? rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
                : throw new ArgumentException($"the certificate \"{certificate.Subject}\" has no ECDSA or RSA private key to sign with", nameof(certificate));
        }
        return $"{Version}.{Convert.ToBase64String(certificate.RawData)}.{Convert.ToBase64String(signature)}";
    }

    /// <summary>
    /// Reads <paramref name="proof"/>: the certificate it carries when the signature over this cluster's string is
    /// that certificate's, else null and why. The certificate's chain, usage and subject are the caller's to check.
    /// </summary>
    public static X509Certificate2? Read(string proof, string clusterId, out string? problem)
    {
        var parts = proof.Split('.');
        if (parts.Length != 3 || parts[0] != Version)
        {
            problem = $"the caller proof is not in the {Version} format (granary SDK of another version?)";
            return null;
        }
        X509Certificate2? certificate = null;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(parts[1]));
            var signature = Convert.FromBase64String(parts[2]);
            var data = SignedData(certificate, clusterId);
            using var ecdsa = certificate.GetECDsaPublicKey();
            using var rsa = ecdsa is null ? certificate.GetRSAPublicKey() : null;
            var valid = ecdsa?.VerifyData(data, signature, HashAlgorithmName.SHA256)
                ?? rsa?.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
                ?? false;
            if (valid)
            {
                problem = null;
                return certificate;
            }
            problem = $"the caller proof of \"{certificate.Subject}\" is not signed by its key for cluster \"{clusterId}\"";
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            problem = $"the caller proof does not hold a certificate and a signature: {e.Message}";
        }
        certificate?.Dispose();
        return null;
    }

    private static byte[] SignedData(X509Certificate2 certificate, string clusterId) =>
        Encoding.UTF8.GetBytes($"granary grain caller {Version}\ncluster {clusterId}\ncertificate {certificate.GetCertHashString(HashAlgorithmName.SHA256)}\n");
}
