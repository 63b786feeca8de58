using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Granary.Bench;

/// <summary>
/// How to reach a silo's Kubernetes API: its URL and, for a production silo, the CA its certificate comes from and a
/// bearer token, as the silo writes them into its kubeconfig. Clients trust that CA only, as kubectl does.
/// </summary>
internal sealed partial record ApiAccess(Uri Url, X509Certificate2? CertificateAuthority, string? Token)
{
    /// <summary>Plain HTTP without credentials (a dev-mode silo, or an API given with --api).</summary>
    public static ApiAccess Plain(Uri url) => new(url, null, null);

    /// <summary>Reads server, certificate-authority-data and token from the kubeconfig a silo wrote.</summary>
    public static ApiAccess FromKubeconfig(string path)
    {
        var text = File.ReadAllText(path);
        var server = ServerLine().Match(text) is { Success: true } s ? new Uri(s.Groups[1].Value)
            : throw new BenchmarkException($"the kubeconfig {path} names no server");
        // The CA is kept by the returned access for the benchmark's lifetime: every client it creates checks the API against it.
#pragma warning disable CA2000
        var ca = CaLine().Match(text) is { Success: true } c
            ? X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(c.Groups[1].Value)))
            : null;
#pragma warning restore CA2000
        var token = TokenLine().Match(text) is { Success: true } t ? t.Groups[1].Value : null;
        return new ApiAccess(server, ca, token);
    }

    /// <summary>A client of the API with its own connection pool, trusting only the API's CA and sending the token.</summary>
    public HttpClient CreateClient(TimeSpan timeout, int maxConnections = int.MaxValue)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        if (CertificateAuthority is { } ca)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => IsIssuedBy(ca, presented);
        var client = new HttpClient(handler) { BaseAddress = Url, Timeout = timeout };
        if (Token is { } token)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static bool IsIssuedBy(X509Certificate2 ca, X509Certificate? presented)
    {
        if (presented is null)
            return false;
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    [GeneratedRegex(@"(?m)^\s+server:\s*(\S+)\s*$")]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"(?m)^\s+certificate-authority-data:\s*(\S+)\s*$")]
    private static partial Regex CaLine();

    [GeneratedRegex(@"(?m)^\s+token:\s*""?([^""\s]+)""?\s*$")]
    private static partial Regex TokenLine();
}
