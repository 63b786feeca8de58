using Granary.Grains.Security;
using Granary.Silo.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Granary.Tests.Unit.Security.Rbac;

/// <summary>Requests as kube-apiserver's RequestInfoFactory reads them.</summary>
public sealed class RequestAttributesTests
{
    private static readonly UserInfo Jane = new("jane", "", [WellKnownGroups.Authenticated]);

    private static AuthorizationAttributes Resolve(string method, string url)
    {
        var (path, query) = url.Split('?') is [var p, var q] ? (p, q) : (url, "");
        return RequestAttributes.Resolve(Jane, method, path, new QueryCollection(QueryHelpers.ParseQuery(query)));
    }

    [Theory]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "list", "", "pods", "", "default", "")]
    [InlineData("GET", "/api/v1/namespaces/default/pods?watch=true", "watch", "", "pods", "", "default", "")]
    [InlineData("GET", "/api/v1/namespaces/default/pods?watch=1&fieldSelector=metadata.name%3Dweb", "watch", "", "pods", "", "default", "web")]
    [InlineData("GET", "/api/v1/watch/namespaces/default/pods", "watch", "", "pods", "", "default", "")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web", "get", "", "pods", "", "default", "web")]
    [InlineData("HEAD", "/api/v1/namespaces/default/pods/web", "get", "", "pods", "", "default", "web")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web/log", "get", "", "pods", "log", "default", "web")]
    [InlineData("POST", "/api/v1/namespaces/default/pods/web/exec", "create", "", "pods", "exec", "default", "web")]
    [InlineData("POST", "/api/v1/namespaces/default/pods", "create", "", "pods", "", "default", "")]
    [InlineData("PUT", "/api/v1/namespaces/default/pods/web/status", "update", "", "pods", "status", "default", "web")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/dev/deployments/web/scale", "patch", "apps", "deployments", "scale", "dev", "web")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods/web", "delete", "", "pods", "", "default", "web")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods", "deletecollection", "", "pods", "", "default", "")]
    [InlineData("GET", "/api/v1/nodes", "list", "", "nodes", "", "", "")]
    [InlineData("GET", "/api/v1/namespaces", "list", "", "namespaces", "", "", "")]
    [InlineData("GET", "/api/v1/namespaces/dev", "get", "", "namespaces", "", "dev", "dev")]
    [InlineData("PUT", "/api/v1/namespaces/dev/finalize", "update", "", "namespaces", "finalize", "dev", "dev")]
    [InlineData("GET", "/api/v1/pods", "list", "", "pods", "", "", "")]
    [InlineData("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", "create", "rbac.authorization.k8s.io", "clusterroles", "", "", "")]
    [InlineData("GET", "/api/v1/namespaces/default/services/web:80/proxy/a/b", "get", "", "services", "proxy", "default", "web:80")]
    public void ResourceRequests(string method, string url, string verb, string group, string resource, string subresource, string ns, string name)
    {
        var request = Resolve(method, url);

        Assert.True(request.IsResourceRequest);
        Assert.Equal((verb, group, resource, subresource, ns, name), (request.Verb, request.ApiGroup, request.Resource, request.Subresource, request.Namespace, request.Name));
    }

    [Theory]
    [InlineData("GET", "/version", "get")]
    [InlineData("GET", "/api", "get")]
    [InlineData("GET", "/api/v1", "get")]
    [InlineData("GET", "/apis", "get")]
    [InlineData("GET", "/apis/apps", "get")]
    [InlineData("GET", "/apis/apps/v1", "get")]
    [InlineData("GET", "/openapi/v3/api/v1", "get")]
    [InlineData("POST", "/healthz", "post")]
    public void NonResourceRequests_UseTheHttpVerbAndPath(string method, string path, string verb)
    {
        var request = Resolve(method, path);

        Assert.False(request.IsResourceRequest);
        Assert.Equal((verb, path), (request.Verb, request.Path));
    }
}
