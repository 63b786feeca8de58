using System.Net.Sockets;
using Granary.NodeAgent.Server.PodProxy;
using Yarp.ReverseProxy.Forwarder;

namespace Granary.Tests.Unit.NodeAgent.Server;

/// <summary>The agent's pod proxy address, as the silo writes it and the agent reads it, and its dial errors' wording.</summary>
public class PodProxyRouteTests
{
    [Theory]
    [InlineData("http", 8080, "/index.html", "?a=b", "/podProxy/default/web/8080/index.html?a=b")]
    [InlineData("https", 8443, "/", "", "/podProxy/default/web/https%3A8443/")]
    [InlineData("http", 80, "/a%2Fb/c", "", "/podProxy/default/web/80/a%2Fb/c")]
    public void PathAndQuery_KeepsThePodPathAsEscaped(string scheme, int port, string path, string query, string expected) =>
        Assert.Equal(expected, PodProxyRoute.PathAndQuery("default", "web", scheme, port, path, query));

    [Theory]
    [InlineData("8080", true, "http", 8080)]
    [InlineData("https:8443", true, "https", 8443)]
    [InlineData("http:80", true, "http", 80)]
    [InlineData("0", false, "http", 0)]
    [InlineData("70000", false, "http", 70000)]
    [InlineData("ftp:21", false, "ftp", 21)]
    [InlineData("web", false, "http", 0)]
    public void TryParsePort_NumbersAfterAnOptionalScheme(string segment, bool valid, string scheme, int port)
    {
        Assert.Equal(valid, PodProxyRoute.TryParsePort(segment, out var s, out var p));
        if (valid)
            Assert.Equal((scheme, port), (s, p));
    }

    [Theory]
    [InlineData("/podProxy/default/web/8080/a/b?x=y", 4, "/a/b")]
    [InlineData("/podProxy/default/web/8080/", 4, "/")]
    [InlineData("/podProxy/default/web/8080", 4, "")]
    [InlineData("/api/v1/namespaces/default/pods/web:8080/proxy/a%2Fb", 7, "/a%2Fb")]
    [InlineData("/api/v1/nodes/n1/proxy/healthz", 5, "/healthz")]
    public void RawPathAfter_TheSegmentsAfterTheRoute(string raw, int segments, string expected) =>
        Assert.Equal(expected, PodProxyRoute.RawPathAfter(raw, segments));

    [Fact]
    public void DialError_ConnectionRefused_IsWordedAsKube() =>
        Assert.Equal("dial tcp 127.1.60.2:8080: connect: connection refused",
            PodProxyModule.DialError("127.1.60.2:8080", ForwarderError.Request,
                new HttpRequestException("Connection refused (127.1.60.2:8080)", new SocketException((int)SocketError.ConnectionRefused))));
}
