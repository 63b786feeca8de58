using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Silo.Security;

/// <summary>
/// A serving certificate the operator gives (<c>--api-certificate</c> and <c>--api-certificate-key</c>, PEM, as
/// kube-apiserver's <c>--tls-cert-file</c>/<c>--tls-private-key-file</c>): the leaf first, then any intermediates; and
/// optionally the CA that issued it (<c>--api-certificate-ca</c>), which the kubeconfig then trusts.
/// </summary>
internal static class ConfiguredCertificate
{
    public static ServingCertificate Load(string certificatePath, string keyPath, string? caPath)
    {
        RequireFile(certificatePath, "--api-certificate");
        RequireFile(keyPath, "--api-certificate-key");
        X509Certificate2 leaf;
        var all = new X509Certificate2Collection();
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            all.ImportFromPemFile(certificatePath);
        }
        catch (CryptographicException e)
        {
            throw new ApiSecurityException(
                $"--api-certificate {certificatePath} with --api-certificate-key {keyPath} cannot be used: {e.Message} " +
                "Give a PEM certificate (the server's first, then any intermediates) and the PEM private key that belongs to it.", e);
        }
        if (leaf.NotAfter.ToUniversalTime() < DateTime.UtcNow)
            throw new ApiSecurityException($"--api-certificate {certificatePath} expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd}: give a current certificate.");
        var intermediates = new X509Certificate2Collection();
        foreach (var extra in all.Skip(1))
            intermediates.Add(extra);
        return new ServingCertificate(leaf, intermediates, caPath is null ? null : ReadCa(caPath), $"{certificatePath}");
    }

    private static string ReadCa(string path)
    {
        RequireFile(path, "--api-certificate-ca");
        var pem = File.ReadAllText(path);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new ApiSecurityException($"--api-certificate-ca {path} is not a PEM certificate: {e.Message}", e);
        }
        if (certificates.Count == 0)
            throw new ApiSecurityException($"--api-certificate-ca {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        // Certificates only, re-encoded: whatever else the file holds (a key, by mistake) never reaches a kubeconfig.
        return string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));
    }

    private static void RequireFile(string path, string flag)
    {
        if (!File.Exists(path))
            throw new ApiSecurityException($"{flag} {path}: no such file.");
    }
}
