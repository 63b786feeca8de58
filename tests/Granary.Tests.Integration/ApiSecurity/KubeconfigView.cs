using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Granary.Tests.Integration.ApiSecurity;

/// <summary>
/// What a silo wrote into its kubeconfig (server, CA, token, read as kubectl would find them), and HTTP clients that
/// trust exactly that CA, as kubectl does: no system roots, no skipped verification.
/// </summary>
public sealed partial record KubeconfigView(string Text, string Server, string? CaPem, bool InsecureSkipTlsVerify, string? Token)
{
    public static KubeconfigView Read(string path)
    {
        var text = File.ReadAllText(path);
        var ca = Field(text, "certificate-authority-data");
        return new KubeconfigView(
            text,
            Field(text, "server") ?? throw new InvalidOperationException($"{path} has no server:\n{text}"),
            ca is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(ca)),
            Field(text, "insecure-skip-tls-verify") == "true",
            Field(text, "token")?.Trim('"'));
    }

    public X509Certificate2 Ca => X509Certificate2.CreateFromPem(CaPem ?? throw new InvalidOperationException($"the kubeconfig has no certificate-authority-data:\n{Text}"));

    /// <summary>The kubeconfig with another token, for a user who has the wrong one.</summary>
    public string WithToken(string token) => TokenLine().Replace(Text, $"token: \"{token}\"");

    /// <summary>A client of <paramref name="server"/> that trusts only this kubeconfig's CA and sends <paramref name="token"/>
    /// when given; <paramref name="served"/> receives the certificate the server presented.</summary>
    public HttpClient Client(Uri server, string? token, Action<X509Certificate2>? served = null)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(Ca);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = policy,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is not null)
                        served?.Invoke(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                    return errors == SslPolicyErrors.None;
                },
            },
        };
        var client = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string? Field(string text, string name)
    {
        var match = Regex.Match(text, $@"(?m)^\s*{Regex.Escape(name)}:\s*(\S+)\s*$");
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"token: ""[^""]*""")]
    private static partial Regex TokenLine();
}
