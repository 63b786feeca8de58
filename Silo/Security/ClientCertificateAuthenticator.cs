using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Grains.Security;

namespace Granary.Silo.Security;

/// <summary>
/// kube-apiserver's x509 authenticator (<c>--client-ca-file</c>): a client certificate that chains to one of the CAs
/// and is valid for client authentication names its user by the subject's common name and its groups by the
/// organizations. The chain is built against the given CAs only (a custom trust store), never the machine's roots.
/// The CA certificates live as long as the silo's API, so nothing here is disposed before the process ends.
/// </summary>
internal sealed class ClientCertificateAuthenticator
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _roots;

    public ClientCertificateAuthenticator(X509Certificate2Collection roots, string source)
    {
        _roots = roots;
        Source = source;
    }

    /// <summary>The file the CAs came from, for the start-up summary.</summary>
    public string Source { get; }

    /// <summary>Reads the CA bundle (PEM). Throws <see cref="ApiSecurityException"/> naming the file when it is unusable.</summary>
    public static ClientCertificateAuthenticator Load(string path)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            foreach (var root in roots)
                root.Dispose();
            throw new ApiSecurityException($"cannot read the client CA file {path} (--client-ca-file): {e.Message}. Give a PEM file of the CA certificates that issue client certificates.", e);
        }
        if (roots.Count == 0)
            throw new ApiSecurityException($"the client CA file {path} (--client-ca-file) holds no PEM certificate: give the CA certificates that issue client certificates.");
        return new ClientCertificateAuthenticator(roots, path);
    }

    /// <summary>The certificate's user; null when it does not chain to the CAs, is out of date or is not for client authentication.</summary>
    public UserInfo? Authenticate(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthOid));
        try
        {
            if (!chain.Build(certificate))
                return null;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
                if (!ReferenceEquals(element.Certificate, certificate))
                    element.Certificate.Dispose();
        }
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (string.IsNullOrEmpty(name))
            return null;
        var organizations = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10")
            .Select(rdn => rdn.GetSingleElementValue() ?? "")
            .Where(o => o.Length > 0);
        return new UserInfo(name, "", organizations.Append(WellKnownGroups.Authenticated).Distinct(StringComparer.Ordinal));
    }
}
