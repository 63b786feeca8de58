using Granary.Silo.Api.Proxy;

namespace Granary.Tests.Unit.Api.Proxy;

/// <summary>The name segment of a proxy path reads as kube's SplitSchemeNamePort does.</summary>
public class ProxyTargetIdTests
{
    [Theory]
    [InlineData("web", "http", "web", "")]
    [InlineData("web:8080", "http", "web", "8080")]
    [InlineData("web:http", "http", "web", "http")]
    [InlineData("https:web:8443", "https", "web", "8443")]
    [InlineData("http:web:", "http", "web", "")]
    public void Parse_ValidForms_SplitSchemeNameAndPort(string id, string scheme, string name, string port) =>
        Assert.Equal(new ProxyTargetId(scheme, name, port), ProxyTargetId.Parse(id));

    [Theory]
    [InlineData("")]
    [InlineData(":8080")]
    [InlineData("ftp:web:21")]
    [InlineData("a:b:c:d")]
    public void Parse_InvalidForms_AreNull(string id) => Assert.Null(ProxyTargetId.Parse(id));
}
