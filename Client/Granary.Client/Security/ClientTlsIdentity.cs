using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Certificates;
using Orleans.Connections.Security;

namespace Granary.Client.Security;

/// <summary>
/// A client's mutual TLS identity for a production cluster: its certificate (with key), the cluster CA it trusts,
/// and its caller proof (<see cref="CallerProof"/>), made once and sent with every call.
/// </summary>
internal sealed class ClientTlsIdentity : IDisposable
{
    private readonly bool _ownsCertificate;
    private readonly bool _ownsAuthority;

    private ClientTlsIdentity(X509Certificate2 certificate, bool ownsCertificate, X509Certificate2 authority, bool ownsAuthority, string clusterId)
    {
        Certificate = certificate;
        Authority = authority;
        _ownsCertificate = ownsCertificate;
        _ownsAuthority = ownsAuthority;
        Proof = CallerProof.Create(certificate, clusterId);
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2 Authority { get; }

    public string Proof { get; }

    /// <summary>The identity the options give; null when they give no TLS setting. Throws <see cref="GranaryConnectException"/> naming what is missing or unreadable.</summary>
    public static ClientTlsIdentity? From(GranaryClientOptions options)
    {
        if (!options.UsesTls)
            return null;
        if (options.ClientCertificate is { } given)
        {
            if (!given.HasPrivateKey)
                throw new GranaryConnectException($"the client certificate \"{given.Subject}\" has no private key; load it with its key (X509Certificate2.CreateFromPemFile(crt, key))");
            var authority = options.ClusterCaCertificate ?? LoadAuthority(options.ClusterCa);
            return new ClientTlsIdentity(given, ownsCertificate: false, authority, ownsAuthority: options.ClusterCaCertificate is null, options.ClusterId);
        }
        if (options.TlsCertificate is null || options.TlsKey is null || (options.ClusterCa is null && options.ClusterCaCertificate is null))
            throw new GranaryConnectException(
                "mutual TLS needs the cluster CA, a client certificate and its key together: --cluster-ca, --tls-certificate, --tls-key " +
                "(GRANARY_CLUSTER_CA, GRANARY_TLS_CERTIFICATE, GRANARY_TLS_KEY); make them with granary certs user NAME --dir DIR");
        X509Certificate2 certificate;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(options.TlsCertificate, options.TlsKey);
            // Re-imported so that SslStream can use the key on every platform (a PEM key is ephemeral).
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new GranaryConnectException($"cannot read the client certificate {options.TlsCertificate} with key {options.TlsKey}: {e.Message}");
        }
        var ca = options.ClusterCaCertificate ?? LoadAuthority(options.ClusterCa);
        return new ClientTlsIdentity(certificate, ownsCertificate: true, ca, ownsAuthority: options.ClusterCaCertificate is null, options.ClusterId);
    }

    private static X509Certificate2 LoadAuthority(string? path)
    {
        if (path is null)
            throw new GranaryConnectException("mutual TLS needs the cluster CA too: --cluster-ca PATH (GRANARY_CLUSTER_CA), the ca.crt of granary certs ca");
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new GranaryConnectException($"cannot read the cluster CA {path}: {e.Message}");
        }
    }

    /// <summary>
    /// Mutual TLS to the gateways: this certificate is presented; the gateway must present a silo certificate of the
    /// cluster CA (the chain is built against that CA alone, never the system's roots).
    /// </summary>
    public void Configure(TlsOptions tls)
    {
        tls.LocalCertificate = Certificate;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.RemoteCertificateValidation = (certificate, _, _) =>
            ClusterIdentities.SiloServerProblem(certificate, Authority, DateTimeOffset.UtcNow) is null;
    }

    public void Dispose()
    {
        if (_ownsCertificate)
            Certificate.Dispose();
        if (_ownsAuthority)
            Authority.Dispose();
    }
}
