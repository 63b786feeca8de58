using Granary.Grains.Security;
using Granary.Silo.Observability;
using Granary.Silo.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Granary.Tests.Unit.Observability;

/// <summary>Requests labelled as kube-apiserver labels its request metrics.</summary>
public sealed class ApiRequestLabelsTests
{
    private static readonly UserInfo Jane = new("jane", "", [WellKnownGroups.Authenticated]);

    private static (AuthorizationAttributes Request, HttpRequest Http) Request(string method, string url, string? contentType = null)
    {
        var (path, query) = url.Split('?') is [var p, var q] ? (p, q) : (url, "");
        var http = new DefaultHttpContext().Request;
        http.Method = method;
        http.Path = path;
        http.QueryString = new QueryString(query.Length > 0 ? "?" + query : "");
        http.ContentType = contentType;
        return (RequestAttributes.Resolve(Jane, method, path, new QueryCollection(QueryHelpers.ParseQuery(query))), http);
    }

    [Theory]
    [InlineData("GET", "/api/v1/namespaces/default/pods", null, "LIST", "pods", "", "namespace", false)]
    [InlineData("GET", "/api/v1/pods", null, "LIST", "pods", "", "cluster", false)]
    [InlineData("GET", "/api/v1/namespaces/default/pods?watch=true", null, "WATCH", "pods", "", "namespace", true)]
    [InlineData("GET", "/api/v1/namespaces/default/pods?watch=1&fieldSelector=metadata.name%3Dweb", null, "WATCH", "pods", "", "namespace", true)]
    [InlineData("GET", "/api/v1/watch/nodes", null, "WATCH", "nodes", "", "cluster", true)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web", null, "GET", "pods", "", "resource", false)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web/log", null, "GET", "pods", "log", "resource", false)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web/log?follow=true", null, "GET", "pods", "log", "resource", true)]
    [InlineData("POST", "/api/v1/namespaces/default/pods/web/exec", null, "CONNECT", "pods", "exec", "resource", true)]
    [InlineData("GET", "/api/v1/namespaces/default/services/web:80/proxy/a/b", null, "CONNECT", "services", "proxy", "resource", true)]
    [InlineData("POST", "/api/v1/namespaces/default/pods", "application/json", "POST", "pods", "", "namespace", false)]
    [InlineData("PUT", "/api/v1/namespaces/default/pods/web/status", "application/json", "PUT", "pods", "status", "resource", false)]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/dev/deployments/web/scale", "application/merge-patch+json", "PATCH", "deployments", "scale", "resource", false)]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/dev/deployments/web", "application/apply-patch+yaml", "APPLY", "deployments", "", "resource", false)]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods/web", null, "DELETE", "pods", "", "resource", false)]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods", null, "DELETE", "pods", "", "namespace", false)]
    [InlineData("GET", "/api/v1/namespaces/dev", null, "GET", "namespaces", "", "resource", false)]
    [InlineData("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "application/json", "POST", "selfsubjectaccessreviews", "", "cluster", false)]
    [InlineData("GET", "/metrics", null, "GET", "", "", "", false)]
    [InlineData("GET", "/version", null, "GET", "", "", "", false)]
    public void Labels_AreKubeApiserversOwn(string method, string url, string? contentType, string verb, string resource, string subresource, string scope, bool longRunning)
    {
        var (request, http) = Request(method, url, contentType);
        Assert.Equal(verb, ApiRequestLabels.Verb(request, http));
        Assert.Equal(resource, ApiRequestLabels.Resource(request));
        Assert.Equal(subresource, ApiRequestLabels.Subresource(request));
        Assert.Equal(scope, ApiRequestLabels.Scope(request));
        Assert.Equal(longRunning, ApiRequestLabels.IsLongRunning(request, http));
    }

    [Theory]
    [InlineData("/api/v1/namespaces/default/made-up-1")]
    [InlineData("/apis/example.com/v1/widgets-2")]
    [InlineData("/api/v1/namespaces/default/pods/web/made-up-3")]
    public void MadeUpResourcesAndSubresources_AreNotLabels(string path)
    {
        var (request, _) = Request("GET", path);
        Assert.DoesNotContain("made-up", ApiRequestLabels.Resource(request) + ApiRequestLabels.Subresource(request), StringComparison.Ordinal);
        Assert.DoesNotContain("widgets", ApiRequestLabels.Resource(request), StringComparison.Ordinal);
    }
}
