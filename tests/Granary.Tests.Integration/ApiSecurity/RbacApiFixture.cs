using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.ApiSecurity;

/// <summary>
/// A production silo (private redis-server, HTTPS) with a token file of an administrator and two users without
/// bindings (jane, bob), a client CA made here with .NET (<c>--client-ca-file</c>) that issued carol's certificate
/// (CN=carol, O=ops, O=dev), and an audit log in its own folder. Kubeconfigs for each user, as kubectl reads them.
/// </summary>
public sealed class RbacApiFixture : IAsyncLifetime
{
    public const string AdminToken = "admin-token-0123456789";
    public const string JaneToken = "jane-token-0123456789";
    public const string BobToken = "bob-token-0123456789";

    private readonly RedisServer _redis = new();
    private SiloProcess? _silo;

    public string Dir { get; } = Directory.CreateTempSubdirectory("granary-rbac-").FullName;

    public SiloProcess Silo => _silo!;

    public string AuditLog => Path.Combine(Dir, "audit", "audit.log");

    public string AdminKubeconfig => Path.Combine(Dir, "admin.kubeconfig");

    public string JaneKubeconfig => Path.Combine(Dir, "jane.kubeconfig");

    public string BobKubeconfig => Path.Combine(Dir, "bob.kubeconfig");

    public string CarolKubeconfig => Path.Combine(Dir, "carol.kubeconfig");

    public Kubectl Kubectl(string kubeconfig) => new(kubeconfig, Path.Combine(Dir, $"kube-cache-{Guid.NewGuid():N}"));

    public async Task InitializeAsync()
    {
        var tokens = Path.Combine(Dir, "tokens.csv");
        await File.WriteAllTextAsync(tokens, $"{AdminToken},admin,admin-uid,\"system:masters\"\n{JaneToken},jane,jane-uid\n{BobToken},bob,bob-uid,\"qa\"\n");
        var (clientCa, carolCertificate, carolKey) = ClientCertificates();
        var clientCaPath = Path.Combine(Dir, "client-ca.crt");
        await File.WriteAllTextAsync(clientCaPath, clientCa);

        await _redis.InitializeAsync();
        _silo = await SiloProcess.StartAsync(_redis.Endpoint, $"rbac-{Guid.NewGuid():N}"[..14],
            "--token-auth-file", tokens, "--client-ca-file", clientCaPath, "--audit-log-path", AuditLog);

        var ca = KubeconfigView.Read(Silo.Kubeconfig).CaPem!;
        await File.WriteAllTextAsync(AdminKubeconfig, Kubeconfig(ca, $"token: \"{AdminToken}\""));
        await File.WriteAllTextAsync(JaneKubeconfig, Kubeconfig(ca, $"token: \"{JaneToken}\""));
        await File.WriteAllTextAsync(BobKubeconfig, Kubeconfig(ca, $"token: \"{BobToken}\""));
        await File.WriteAllTextAsync(CarolKubeconfig, Kubeconfig(ca,
            $"client-certificate-data: {Base64(carolCertificate)}\n    client-key-data: {Base64(carolKey)}"));
    }

    private string Kubeconfig(string caPem, string user) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: granary
          cluster:
            server: https://127.0.0.1:{Silo.ApiPort}
            certificate-authority-data: {Base64(caPem)}
        users:
        - name: me
          user:
            {user}
        contexts:
        - name: granary
          context:
            cluster: granary
            user: me
        current-context: granary

        """;

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>A client CA and carol's certificate from it (client authentication only), as PEM.</summary>
    private static (string Ca, string Certificate, string Key) ClientCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=rbac-test-client-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(30));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=carol, O=ops, O=dev", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var leaf = request.Create(ca, now.AddHours(-1), now.AddDays(10), [5, 6, 7, 8]);
        return (ca.ExportCertificatePem(), leaf.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
