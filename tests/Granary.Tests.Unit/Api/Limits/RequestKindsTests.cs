using Granary.Silo.Api.Limits;
using Microsoft.AspNetCore.Http;

namespace Granary.Tests.Unit.Api.Limits;

/// <summary>Which requests are long-running (exempt from the in-flight caps), as kube-apiserver's RequestInfo sees them.</summary>
public class RequestKindsTests
{
    [Theory]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "watch=true", true)]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "watch=1", true)]
    [InlineData("GET", "/api/v1/watch/namespaces/default/pods", "", true)]
    [InlineData("POST", "/api/v1/namespaces/default/pods/web/exec", "command=sh", true)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web/attach", "", true)]
    [InlineData("POST", "/api/v1/namespaces/default/pods/web/portforward", "", true)]
    [InlineData("GET", "/api/v1/namespaces/default/services/web:80/proxy/index.html", "", true)]
    [InlineData("GET", "/api/v1/nodes/n1/proxy/metrics", "", true)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web/log", "follow=true", true)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web/log", "", false)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/proxy", "", false)]
    [InlineData("GET", "/api/v1/namespaces/exec", "", false)]
    [InlineData("GET", "/apis/apps/v1/namespaces/default/deployments", "watch=false", false)]
    [InlineData("PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", "", false)]
    public void IsLongRunning(string method, string path, string query, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length == 0 ? "" : "?" + query);

        Assert.Equal(expected, RequestKinds.IsLongRunning(context.Request));
    }

    [Theory]
    [InlineData("GET", false)]
    [InlineData("HEAD", false)]
    [InlineData("POST", true)]
    [InlineData("PATCH", true)]
    [InlineData("DELETE", true)]
    public void IsMutating(string method, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;

        Assert.Equal(expected, RequestKinds.IsMutating(context.Request));
    }
}
