using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Certificates;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Granary.Silo.Security;

/// <summary>
/// The silo's mutual TLS on its Orleans ports (production mode), from the operator's files: the cluster CA, the
/// CA's key (optional: then the cluster CA grain signs the agents' serving certificates with it), and the silo's
/// certificate and key (<c>granary certs silo NAME</c>). Silo-to-silo connections accept only silo certificates of
/// the cluster CA, both ways; the gateway accepts any client certificate of the cluster CA (nodes, users, silos),
/// and the caller proof in each request says which (<see cref="CallerProof"/>). Chains are built against the cluster
/// CA alone, never the machine's roots.
/// </summary>
internal sealed class OrleansTls : IDisposable
{
    private OrleansTls(X509Certificate2 certificate, X509Certificate2 authority, string? authorityKeyPem, string clusterId)
    {
        Certificate = certificate;
        Authority = authority;
        AuthorityKeyPem = authorityKeyPem;
        Proof = CallerProof.Create(certificate, clusterId);
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2 Authority { get; }

    /// <summary>The cluster CA's key (PEM) when the operator gave it; null otherwise.</summary>
    public string? AuthorityKeyPem { get; }

    /// <summary>This silo's caller proof, stamped on the calls it makes to grains (never to clients).</summary>
    public string Proof { get; }

    /// <summary>
    /// The silo's TLS from its settings: null in dev mode, or in production with <c>--orleans-tls=false</c> (logged
    /// loudly by the caller). Throws <see cref="ApiSecurityException"/> naming the missing or unusable file and the
    /// command that makes it.
    /// </summary>
    public static OrleansTls? Resolve(SiloSettings settings)
    {
        if (settings.DevMode)
        {
            if (settings.OrleansTls == true)
                throw new ApiSecurityException("--orleans-tls needs production mode (--redis): a dev silo's Orleans ports are plain and on 127.0.0.1 only");
            return null;
        }
        if (settings.OrleansTls == false)
            return null;

        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(settings.ClusterCa)) missing.Add("--cluster-ca");
        if (string.IsNullOrWhiteSpace(settings.TlsCertificate)) missing.Add("--tls-certificate");
        if (string.IsNullOrWhiteSpace(settings.TlsKey)) missing.Add("--tls-key");
        if (missing.Count > 0)
            throw new ApiSecurityException(
                $"a production silo (--redis) speaks mutual TLS on its silo and gateway ports, and {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not set. " +
                "Make a cluster CA and this silo's certificate with: granary certs ca --dir DIR; granary certs silo NAME --dir DIR --address THIS_SILO_IP; " +
                "then pass --cluster-ca DIR/ca.crt --tls-certificate DIR/silo-NAME.crt --tls-key DIR/silo-NAME.key " +
                "(or accept an unauthenticated, unencrypted cluster with --orleans-tls=false)");

        X509Certificate2 authority;
        try
        {
            authority = X509CertificateLoader.LoadCertificateFromFile(settings.ClusterCa!);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ApiSecurityException($"--cluster-ca {settings.ClusterCa} cannot be read as a PEM certificate: {e.Message}", e);
        }

        try
        {
            X509Certificate2 certificate;
            try
            {
                using var pem = X509Certificate2.CreateFromPemFile(settings.TlsCertificate!, settings.TlsKey!);
                // Re-imported so that SslStream can use the key on every platform (a PEM key is ephemeral).
                certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new ApiSecurityException($"--tls-certificate {settings.TlsCertificate} with --tls-key {settings.TlsKey} cannot be read as a PEM certificate and its key: {e.Message}", e);
            }
            var now = DateTimeOffset.UtcNow;
            if ((ClusterIdentities.SiloServerProblem(certificate, authority, now) ?? ClusterIdentities.SiloClientProblem(certificate, authority, now)) is { } problem)
            {
                certificate.Dispose();
                throw new ApiSecurityException(
                    $"--tls-certificate {settings.TlsCertificate} is not a silo certificate of --cluster-ca {settings.ClusterCa}: {problem}. Make one with granary certs silo NAME --dir DIR");
            }

            string? keyPem = null;
            if (!string.IsNullOrWhiteSpace(settings.ClusterCaKey))
            {
                try
                {
                    keyPem = File.ReadAllText(settings.ClusterCaKey);
                    using var pair = X509Certificate2.CreateFromPem(authority.ExportCertificatePem(), keyPem);
                }
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
                {
                    certificate.Dispose();
                    throw new ApiSecurityException($"--cluster-ca-key {settings.ClusterCaKey} is not the private key (PEM) of --cluster-ca {settings.ClusterCa}: {e.Message}", e);
                }
            }
            return new OrleansTls(certificate, authority, keyPem, settings.ClusterId);
        }
        catch
        {
            authority.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Mutual TLS on the silo's inbound silo and gateway connections and on its outbound silo connections; every
    /// refused peer certificate is logged with its reason (<see cref="TlsPeerRefusals"/>).
    /// </summary>
    public void Configure(ISiloBuilder silo) =>
        silo.Services.AddOptions<SiloConnectionOptions>().Configure<ILoggerFactory>((connections, loggers) =>
        {
            var refusals = new TlsPeerRefusals(loggers.CreateLogger<OrleansTls>());
            var fromSilos = ServerOptions(refusals, "silo port", (certificate, now) => ClusterIdentities.SiloClientProblem(certificate, Authority, now));
            var fromClients = ServerOptions(refusals, "gateway port", (certificate, now) => ClusterIdentities.ChainProblem(certificate, Authority, ClusterIdentities.ClientAuth, now));
            var toSilos = new TlsOptions
            {
                LocalCertificate = Certificate,
                RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
                RemoteCertificateValidation = (certificate, _, _) =>
                    refusals.Accept("connection to another silo", certificate, (c, now) => ClusterIdentities.SiloServerProblem(c, Authority, now)),
            };
            connections.ConfigureSiloInboundConnection(builder => builder.UseServerTls(fromSilos));
            connections.ConfigureGatewayInboundConnection(builder => builder.UseServerTls(fromClients));
            connections.ConfigureSiloOutboundConnection(builder => builder.UseClientTls(toSilos));
        });

    private TlsOptions ServerOptions(TlsPeerRefusals refusals, string port, Func<X509Certificate2, DateTimeOffset, string?> problem) => new()
    {
        LocalCertificate = Certificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        RemoteCertificateValidation = (certificate, _, _) => refusals.Accept(port, certificate, problem),
    };

    public void Dispose()
    {
        Certificate.Dispose();
        Authority.Dispose();
    }
}
