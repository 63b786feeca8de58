using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.ApiSecurity;

/// <summary>
/// What kube-apiserver guards beyond authorization, met with the real kubectl on a production silo: carol (a client
/// certificate) may write Roles and RoleBindings in her namespace but grant only what she holds, until escalate and
/// bind (by role name) are granted to her; and requests with wrong credentials are audited as kube audits them.
/// </summary>
public sealed class RbacEscalationTests(RbacApiFixture api) : IClassFixture<RbacApiFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const string CarolGroups = "(groups=[\"ops\" \"dev\" \"system:authenticated\"])";

    private Kubectl Admin => api.Kubectl(api.AdminKubeconfig);

    private Kubectl Carol => api.Kubectl(api.CarolKubeconfig);

    private async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 7)];
        await AdminAsync("create", "namespace", name);
        return name;
    }

    private async Task AdminAsync(params string[] args)
    {
        var r = await Admin.RunAsync(args);
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)}: {r}");
    }

    /// <summary>Runs until the output has <paramref name="expected"/>: the authorizer sees new bindings once the watch cache has them.</summary>
    private static async Task<CliResult> EventuallyAsync(string phase, string expected, Func<Task<CliResult>> run)
    {
        CliResult? last = null;
        await Waiting.UntilAsync(async () => ((last = await run()).Stdout + last.Stderr).Contains(expected, StringComparison.Ordinal), Deadline, phase,
            () => $"expected \"{expected}\", last: {last}");
        return last!;
    }

    [Fact]
    public async Task Carol_GrantsOnlyWhatSheHolds_UntilEscalateAndBindLiftIt()
    {
        var ns = await NamespaceAsync("escalate");
        await AdminAsync("create", "role", "rbac-writer", "--verb=create,get,update,patch", "--resource=roles,rolebindings", "-n", ns);
        await AdminAsync("create", "rolebinding", "carol-writer", "--role=rbac-writer", "--user=carol", "-n", ns);
        await AdminAsync("create", "role", "pod-reader", "--verb=get", "--resource=pods", "-n", ns);
        await AdminAsync("create", "role", "secret-reader", "--verb=get", "--resource=secrets", "-n", ns);

        var role = await EventuallyAsync("carol may create roles, but not grant get pods", "is attempting to grant",
            () => Carol.RunAsync("create", "role", "mine", "--verb=get", "--resource=pods", "-n", ns));
        var binding = await Carol.RunAsync("create", "rolebinding", "read", "--role=pod-reader", "--user=bob", "-n", ns);

        Assert.Equal(1, role.ExitCode);
        Assert.Contains($"roles.rbac.authorization.k8s.io \"mine\" is forbidden: user \"carol\" {CarolGroups} is attempting to grant RBAC permissions not currently held:\n" +
            "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}", role.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, binding.ExitCode);
        Assert.Contains($"rolebindings.rbac.authorization.k8s.io \"read\" is forbidden: user \"carol\" {CarolGroups} is attempting to grant RBAC permissions not currently held:\n" +
            "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}", binding.Stderr, StringComparison.Ordinal);

        await AdminAsync("create", "role", "escalator", "--verb=escalate", "--resource=roles", "-n", ns);
        await AdminAsync("create", "role", "pod-reader-binder", "--verb=bind", "--resource=roles", "--resource-name=pod-reader", "-n", ns);
        await AdminAsync("create", "rolebinding", "carol-escalator", "--role=escalator", "--user=carol", "-n", ns);
        await AdminAsync("create", "rolebinding", "carol-binder", "--role=pod-reader-binder", "--user=carol", "-n", ns);

        await EventuallyAsync("escalate lets carol create the role", "role.rbac.authorization.k8s.io/mine created",
            () => Carol.RunAsync("create", "role", "mine", "--verb=get", "--resource=pods", "-n", ns));
        await EventuallyAsync("bind on pod-reader lets carol bind it", "rolebinding.rbac.authorization.k8s.io/read created",
            () => Carol.RunAsync("create", "rolebinding", "read", "--role=pod-reader", "--user=bob", "-n", ns));
        var other = await Carol.RunAsync("create", "rolebinding", "secrets", "--role=secret-reader", "--user=bob", "-n", ns);
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}", other.Stderr, StringComparison.Ordinal);

        // The refusals are audited with the code the client got.
        var refused = AuditEvents().Where(e => (string?)e["objectRef"]?["namespace"] == ns && (string?)e["user"]!["username"] == "carol"
            && (string?)e["verb"] == "create" && (int?)e["responseStatus"]!["code"] == 403).Select(e => (string?)e["objectRef"]!["resource"]).ToHashSet();
        Assert.Superset(new HashSet<string?> { "roles", "rolebindings" }, refused);
    }

    [Fact]
    public async Task BadToken_Gets401_AndOneAuditEvent_AsKubeRecordsIt()
    {
        var path = $"/api/v1/namespaces/audit-{Guid.NewGuid():N}/pods";
        using var http = KubeconfigView.Read(api.Silo.Kubeconfig).Client(api.Silo.ApiUrl, "not-a-token");

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""",
            await response.Content.ReadAsStringAsync());
        var auditId = response.Headers.GetValues("Audit-Id").Single();
        var audited = AuditEvents().Single(e => (string?)e["auditID"] == auditId);
        Assert.Equal(("ResponseStarted", "list", path, "{}"), ((string?)audited["stage"], (string?)audited["verb"], (string?)audited["requestURI"], audited["user"]!.ToJsonString()));
        Assert.Equal("""{"metadata":{},"message":"Authentication failed, attempted: bearer","code":401}""", audited["responseStatus"]!.ToJsonString());
        Assert.Equal("127.0.0.1", (string?)audited["sourceIPs"]![0]);
        Assert.Equal("pods", (string?)audited["objectRef"]!["resource"]);
    }

    [Fact]
    public async Task UnknownClientCertificate_Gets401_AndIsAudited_AsAnX509Attempt()
    {
        var path = $"/api/v1/namespaces/audit-{Guid.NewGuid():N}/configmaps";
        var kubeconfig = Path.Combine(api.Dir, $"mallory-{Guid.NewGuid():N}.kubeconfig");
        var (certificate, key) = SelfSignedClientCertificate("mallory");
        await File.WriteAllTextAsync(kubeconfig, File.ReadAllText(api.JaneKubeconfig).Replace($"token: \"{RbacApiFixture.JaneToken}\"",
            $"client-certificate-data: {Base64(certificate)}\n    client-key-data: {Base64(key)}", StringComparison.Ordinal));

        var r = await api.Kubectl(kubeconfig).RunAsync("get", "--raw", path);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Unauthorized", r.Stderr, StringComparison.Ordinal);
        var audited = AuditEvents().Single(e => (string?)e["requestURI"] == path);
        Assert.Equal(("ResponseStarted", 401, "Authentication failed, attempted: x509", "{}"),
            ((string?)audited["stage"], (int?)audited["responseStatus"]!["code"], (string?)audited["responseStatus"]!["message"], audited["user"]!.ToJsonString()));
        Assert.StartsWith("kubectl", (string?)audited["userAgent"], StringComparison.Ordinal);
    }

    private List<JsonNode> AuditEvents() => [.. File.ReadAllLines(api.AuditLog).Select(l => JsonNode.Parse(l)!)];

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>A client certificate no CA of the silo's issued.</summary>
    private static (string Certificate, string Key) SelfSignedClientCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=system:masters", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
