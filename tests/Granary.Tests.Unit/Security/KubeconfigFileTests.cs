using System.Net;
using System.Text;
using Granary.Silo.Api;
using Granary.Silo.Security;

namespace Granary.Tests.Unit.Security;

public sealed class KubeconfigFileTests
{
    [Fact]
    public void Render_Https_CarriesTheCaAndTheToken()
    {
        var ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

        var text = KubeconfigFile.Render("https://127.0.0.1:6443", new KubeconfigCredentials(ca, false, "abc"));

        Assert.Contains($"""
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(ca))}
            users:
            - name: granary
              user:
                token: "abc"
            contexts:
            - name: granary
              context:
                cluster: granary
                user: granary
                namespace: default
            """, text, StringComparison.Ordinal);
        Assert.DoesNotContain("insecure", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_GivenCertificateWithoutCa_SkipsVerification()
    {
        var text = KubeconfigFile.Render("https://127.0.0.1:6443", new KubeconfigCredentials(null, true, "abc"));

        Assert.Contains("    server: https://127.0.0.1:6443\n    insecure-skip-tls-verify: true\nusers:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_PlainHttp_HasNoCredentials_AndNamesNoUser()
    {
        var text = KubeconfigFile.Render("http://127.0.0.1:6440", KubeconfigCredentials.None);

        // The official KubernetesClient refuses a user entry without credentials.
        Assert.Contains("    server: http://127.0.0.1:6440\ncontexts:\n- name: granary\n  context:\n    cluster: granary\n    namespace: default\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("user", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0", true, "https://127.0.0.1:6443")]
    [InlineData("::", true, "https://[::1]:6443")]
    [InlineData("127.0.0.5", false, "http://127.0.0.5:6443")]
    public void ServerUrl_WildcardsAreReachedOnLoopback(string address, bool https, string url) =>
        Assert.Equal(url, KubeconfigFile.ServerUrl(IPAddress.Parse(address), 6443, https));
}
