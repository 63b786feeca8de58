using System.Collections.Frozen;
using Granary.Grains.Security;
using Granary.Silo.Api;

namespace Granary.Silo.Observability;

/// <summary>
/// The labels kube-apiserver puts on its request metrics, from what the authorization step resolved: the verb as its
/// metrics name it (GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, CONNECT; a non-resource request's HTTP method),
/// the resource and subresource, and the scope (resource, namespace, cluster). Only resources and subresources the
/// server serves become labels, so a client asking for made-up paths cannot grow the series without bound. Every
/// value is a constant or an existing string: labelling a request allocates nothing.
/// </summary>
internal static class ApiRequestLabels
{
    private const string ApplyPatch = "application/apply-patch+yaml";

    // What the API serves (the table discovery advertises), and the access reviews it answers.
    private static readonly FrozenSet<string> Resources = ApiResources.All.Select(r => r.Name.Split('/')[0])
        .Concat(["selfsubjectaccessreviews", "selfsubjectreviews", "selfsubjectrulesreviews", "subjectaccessreviews"])
        .ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Subresources = ApiResources.All.Where(r => r.Name.Contains('/', StringComparison.Ordinal))
        .Select(r => r.Name.Split('/')[1])
        .Concat(["log", "exec", "attach", "portforward", "proxy", "binding", "eviction", "token", "finalize"])
        .ToFrozenSet(StringComparer.Ordinal);

    // kube's connect subresources: streams that last as long as the client wants.
    private static readonly FrozenSet<string> Connects = new[] { "exec", "attach", "portforward", "proxy" }.ToFrozenSet(StringComparer.Ordinal);

    public static string Verb(AuthorizationAttributes request, HttpRequest http)
    {
        if (!request.IsResourceRequest)
            return Method(http.Method);
        if (request.Verb == "proxy" || Connects.Contains(request.Subresource))
            return "CONNECT";
        return request.Verb switch
        {
            "watch" => "WATCH",
            "list" => "LIST",
            "get" => "GET",
            "create" => "POST",
            "update" => "PUT",
            "patch" => http.ContentType is { } type && type.StartsWith(ApplyPatch, StringComparison.OrdinalIgnoreCase) ? "APPLY" : "PATCH",
            "delete" or "deletecollection" => "DELETE",
            _ => Method(http.Method),
        };
    }

    public static string Resource(AuthorizationAttributes request) =>
        request.IsResourceRequest && Resources.TryGetValue(request.Resource, out var known) ? known : "";

    public static string Subresource(AuthorizationAttributes request) =>
        request.IsResourceRequest && Subresources.TryGetValue(request.Subresource, out var known) ? known : "";

    public static string Scope(AuthorizationAttributes request)
    {
        if (!request.IsResourceRequest)
            return "";
        // A list or watch narrowed to one name by a field selector is still a collection read.
        if (request.Name.Length > 0 && request.Verb is not ("list" or "watch"))
            return "resource";
        return request.Namespace.Length > 0 ? "namespace" : "cluster";
    }

    /// <summary>kube-apiserver's long-running requests: watches, the connect subresources and followed logs.</summary>
    public static bool IsLongRunning(AuthorizationAttributes request, HttpRequest http) =>
        request.IsResourceRequest
        && (request.Verb is "watch" or "proxy" || Connects.Contains(request.Subresource)
            || request.Subresource == "log" && http.Query["follow"] is { Count: > 0 } follow && follow[0] is "true" or "1");

    private static string Method(string method) => method switch
    {
        _ when HttpMethods.IsGet(method) => "GET",
        _ when HttpMethods.IsPost(method) => "POST",
        _ when HttpMethods.IsPut(method) => "PUT",
        _ when HttpMethods.IsPatch(method) => "PATCH",
        _ when HttpMethods.IsDelete(method) => "DELETE",
        _ when HttpMethods.IsHead(method) => "HEAD",
        _ when HttpMethods.IsOptions(method) => "OPTIONS",
        _ => "other",
    };
}
