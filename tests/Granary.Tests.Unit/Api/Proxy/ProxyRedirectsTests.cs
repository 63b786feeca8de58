using Granary.Silo.Api.Proxy;

namespace Granary.Tests.Unit.Api.Proxy;

/// <summary>Redirects to the proxied server stay on the proxy, as kube-apiserver's proxy transport rewrites them.</summary>
public class ProxyRedirectsTests
{
    private const string Prefix = "/api/v1/namespaces/default/pods/web:8080/proxy";
    private const string Pod = "127.1.60.2:8080";

    [Theory]
    [InlineData("/cgi-bin/", Prefix + "/cgi-bin/")]
    [InlineData("/a?b=c#d", Prefix + "/a?b=c#d")]
    [InlineData("http://127.1.60.2:8080/login?next=/", Prefix + "/login?next=/")]
    [InlineData("//127.1.60.2:8080/x", Prefix + "/x")]
    [InlineData(Prefix + "/already", Prefix + "/already")]
    public void Rewrite_SameServer_GoesBelowThePrefix(string location, string expected) =>
        Assert.Equal(expected, ProxyRedirects.Rewrite(location, Pod, Prefix));

    [Theory]
    [InlineData("https://example.org/elsewhere")]
    [InlineData("http://127.1.60.3:8080/other-pod")]
    [InlineData("relative/path")]
    [InlineData("mailto:someone@example.org")]
    public void Rewrite_ElsewhereOrRelative_IsLeftAlone(string location) =>
        Assert.Equal(location, ProxyRedirects.Rewrite(location, Pod, Prefix));
}
