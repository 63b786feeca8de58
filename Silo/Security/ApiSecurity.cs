using System.Net;

namespace Granary.Silo.Security;

/// <summary>What the kubeconfig carries so that kubectl trusts the API and is let in.</summary>
internal sealed record KubeconfigCredentials(string? CertificateAuthorityPem, bool InsecureSkipTlsVerify, string? Token)
{
    public static readonly KubeconfigCredentials None = new(null, false, null);
}

/// <summary>
/// How the Kubernetes API is protected, decided once at start from the settings: HTTPS with a configured or generated
/// certificate and bearer tokens (the default, in dev mode too, as k3s does on one node), or plain HTTP without
/// authentication (<c>--api-tls false</c>). Bearer tokens and client certificates come with HTTPS only: kubectl never sends them over plain HTTP.
/// </summary>
internal sealed class ApiSecurity
{
    private ApiSecurity(ServingCertificate? tls, TokenAuthenticator? tokens, KubeconfigCredentials kubeconfig, string summary,
        IReadOnlyList<string> warnings, IReadOnlyList<string> notices, ClientCertificateAuthenticator? clientCertificates = null)
    {
        ClientCertificates = clientCertificates;
        Tls = tls;
        Tokens = tokens;
        Kubeconfig = kubeconfig;
        Summary = summary;
        Warnings = warnings;
        Notices = notices;
    }

    /// <summary>The HTTPS certificate; null for plain HTTP.</summary>
    public ServingCertificate? Tls { get; }

    /// <summary>Who may call the API; null when there is no authentication (plain HTTP).</summary>
    public TokenAuthenticator? Tokens { get; }

    public KubeconfigCredentials Kubeconfig { get; }

    /// <summary>Who may log in with a client certificate (<c>--client-ca-file</c>); null when nobody may.</summary>
    public ClientCertificateAuthenticator? ClientCertificates { get; }

    /// <summary>One line for the start-up log, e.g. "HTTPS (generated, CA …), bearer tokens from …".</summary>
    public string Summary { get; }

    /// <summary>What an operator should act on.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>What happened that an operator may want to know.</summary>
    public IReadOnlyList<string> Notices { get; }

    /// <summary>Throws <see cref="ApiSecurityException"/> when the settings cannot be served as given.</summary>
    public static ApiSecurity Resolve(SiloSettings settings, IPAddress apiAddress, TimeProvider time)
    {
        var certificate = Given(settings.ApiCertificate);
        var key = Given(settings.ApiCertificateKey);
        var ca = Given(settings.ApiCertificateCa);
        var tokenFile = Given(settings.TokenAuthFile);
        var clientCa = Given(settings.ClientCaFile);
        var folder = Path.GetDirectoryName(Path.GetFullPath(settings.EffectiveKubeconfig))!;
        if ((certificate is null) != (key is null))
            throw new ApiSecurityException("--api-certificate and --api-certificate-key go together: give both (PEM files), or neither and the " +
                $"silo generates a CA and a serving certificate in {Path.Combine(folder, TlsFolder)}.");
        if (ca is not null && certificate is null)
            throw new ApiSecurityException("--api-certificate-ca names the CA of --api-certificate, which is not given: give the certificate too, " +
                "or drop --api-certificate-ca and the silo generates its own CA.");

        if (!settings.EffectiveApiTls)
        {
            const string how = "--api-tls false";
            if (tokenFile is not null)
                throw new ApiSecurityException($"--token-auth-file needs HTTPS, but the API serves plain HTTP ({how}): kubectl sends bearer tokens " +
                    "only over https://, so nobody could log in. Serve HTTPS (drop --api-tls false, or pass --api-tls true), or drop --token-auth-file.");
            if (clientCa is not null)
                throw new ApiSecurityException($"--client-ca-file needs HTTPS, but the API serves plain HTTP ({how}): client certificates are " +
                    "presented in the TLS handshake. Serve HTTPS (drop --api-tls false, or pass --api-tls true), or drop --client-ca-file.");
            if (certificate is not null)
                throw new ApiSecurityException($"--api-certificate is given, but the API serves plain HTTP ({how}): " +
                    "drop --api-tls false (or pass --api-tls true) to serve HTTPS with it, or drop the certificate flags.");
            var warnings = settings.DevMode ? [] : new[]
            {
                $"The Kubernetes API serves plain HTTP without authentication (--api-tls false): anyone who reaches {apiAddress} can read and change the cluster.",
            };
            return new ApiSecurity(null, null, KubeconfigCredentials.None, "plain HTTP, no authentication", warnings, []);
        }

        var warningList = new List<string>();
        var notices = new List<string>();
        ServingCertificate serving;
        if (certificate is not null)
        {
            serving = ConfiguredCertificate.Load(certificate, key!, ca);
            if (serving.CaPem is null)
                warningList.Add("The kubeconfig skips verification of the API's certificate (insecure-skip-tls-verify: true): " +
                    "--api-certificate was given without --api-certificate-ca, so the silo does not know which CA clients should trust. " +
                    "Pass --api-certificate-ca PATH (the CA that issued the certificate) so that kubectl verifies the server.");
        }
        else
        {
            var generated = new GeneratedCertificates(Path.Combine(folder, TlsFolder), time);
            var names = SubjectAlternativeNames.For(apiAddress, Dns.GetHostName(), KubernetesServiceAddress(settings));
            serving = generated.Provision(names);
            if (generated.Reissued is { } why)
                notices.Add($"Issued a new serving certificate for {names} from the CA in {Path.Combine(folder, TlsFolder)}: the stored one was replaced because {why}.");
        }

        var tokenPath = tokenFile ?? GeneratedTokenFile.Ensure(folder);
        var entries = TokenFile.Read(tokenPath);
        if (entries.Count == 0)
            throw new ApiSecurityException($"the token file {tokenPath} holds no tokens, so nobody could use the API: add a line token,user,uid[,\"group1,group2\"].");
        var admin = entries.FirstOrDefault(e => e.User.IsAdmin);
        if (admin is null)
            warningList.Add($"The kubeconfig carries no token: no user in {tokenPath} is in the group {ApiUser.MastersGroup}. " +
                "Add one there, or put a token under the kubeconfig's user (token: ...), or use kubectl --token.");
        var kubeconfig = new KubeconfigCredentials(serving.CaPem, serving.CaPem is null, admin?.Token);
        // Without --client-ca-file, the users of `granary certs user` (the cluster CA's) authenticate by their certificates.
        var clientCaFile = settings.EffectiveClientCaFile;
        var clientCertificates = clientCaFile is null ? null : ClientCertificateAuthenticator.Load(clientCaFile);
        if (Given(settings.AuditLogPath) is { } auditPath)
            AuditLogFile.CheckWritable(auditPath);
        var certificates = clientCertificates is null ? "" : $", client certificates from {clientCertificates.Source}";
        return new ApiSecurity(serving, new TokenAuthenticator(entries), kubeconfig,
            $"HTTPS (certificate: {serving.Source}), bearer tokens from {tokenPath}{certificates}", warningList, notices, clientCertificates);
    }

    /// <summary>The folder beside the kubeconfig that holds the generated CA and serving certificate.</summary>
    public const string TlsFolder = "tls";

    /// <summary>The kubernetes service's cluster IP, or null when --service-cidr does not parse (the silo reports that itself).</summary>
    private static IPAddress? KubernetesServiceAddress(SiloSettings settings)
    {
        try
        {
            return IPAddress.Parse(new Granary.Grains.Services.ServiceNetworkOptions { ServiceCidr = settings.EffectiveServiceCidr }.Parse().FirstAddress);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
