using System.Buffers.Text;
using System.Security.Cryptography;

namespace Granary.Grains.ServiceAccounts;

/// <summary>
/// A key that signs or verifies ServiceAccount tokens: RSA (RS256, what kubeadm's sa.key is) or an EC P-256 key (ES256),
/// the two kinds kube-apiserver accepts. Its key id (the JWT's "kid") is kube's: the unpadded base64url SHA-256 of the
/// DER public key, so a verifier picks the right key when several are trusted.
/// </summary>
public sealed class TokenSigningKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;

    private TokenSigningKey(AsymmetricAlgorithm key, bool hasPrivateKey)
    {
        _key = key;
        HasPrivateKey = hasPrivateKey;
        Algorithm = key is RSA ? "RS256" : "ES256";
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        KeyId = Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The JWT "alg" it signs with.</summary>
    public string Algorithm { get; }

    public string KeyId { get; }

    public string PublicKeyPem { get; }

    public bool HasPrivateKey { get; }

    /// <summary>A new 2048-bit RSA key, as kubeadm makes for ServiceAccount tokens.</summary>
    public static TokenSigningKey Generate() => new(RSA.Create(2048), hasPrivateKey: true);

    /// <summary>
    /// The first RSA or EC private key of <paramref name="pem"/> (PKCS#1, PKCS#8 or SEC1), or, unless
    /// <paramref name="requirePrivate"/>, a public key. Throws <see cref="ArgumentException"/> saying what was wrong.
    /// </summary>
    public static TokenSigningKey FromPem(string pem, bool requirePrivate, string source)
    {
        var wantsPrivate = pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
        if (requirePrivate && !wantsPrivate)
            throw new ArgumentException($"{source} holds no private key (PEM \"PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\"): tokens cannot be signed with it");
        var label = pem.Contains("EC PRIVATE KEY", StringComparison.Ordinal) ? "EC" : null;
        if (label is null)
        {
            var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(pem);
                return new TokenSigningKey(rsa, wantsPrivate);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                rsa.Dispose();
            }
        }
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            if (ec.KeySize != 256)
                throw new ArgumentException($"{source} holds an EC key of {ec.KeySize} bits: ServiceAccount tokens are signed with P-256 (ES256) or RSA keys");
            return new TokenSigningKey(ec, wantsPrivate);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ec.Dispose();
            throw new ArgumentException($"{source} holds no RSA or EC P-256 key in PEM ({e.Message})", e);
        }
    }

    public string ExportPrivateKeyPem() => HasPrivateKey
        ? _key.ExportPkcs8PrivateKeyPem()
        : throw new InvalidOperationException("a verification key has no private key to export");

    public byte[] Sign(ReadOnlySpan<byte> data) => _key switch
    {
        RSA rsa => rsa.SignData(data.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ec => ec.SignData(data.ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        _ => throw new InvalidOperationException("unsupported key"),
    };

    /// <summary>Whether <paramref name="signature"/> is this key's over <paramref name="data"/> with <paramref name="algorithm"/>; another algorithm never verifies.</summary>
    public bool Verify(string algorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => (_key, algorithm) switch
    {
        (RSA rsa, "RS256") => rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        (ECDsa ec, "ES256") => signature.Length == 64 && ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        _ => false,
    };

    public void Dispose() => _key.Dispose();
}
