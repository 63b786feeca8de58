namespace Granary.Grains.Security;

/// <summary>
/// kube-apiserver's 403 wording (forbiddenMessage): <c>User "jane" cannot list resource "pods" in API group "" in the
/// namespace "default"</c>, the cluster-scope and non-resource forms, and the reason when the authorizers gave one.
/// </summary>
public static class ForbiddenMessage
{
    /// <summary>The whole message, prefixed as a Status message is: <c>pods is forbidden: …</c>.</summary>
    public static string For(AuthorizationAttributes request, string reason = "")
    {
        var subject = Subject(request);
        var message = request.IsResourceRequest
            ? $"{Resource(request)} is forbidden: {subject}"
            : $"forbidden: {subject}";
        return reason.Length > 0 ? $"{message}: {reason}" : message;
    }

    /// <summary>"pods", "pods \"web\"" with a name, as kube's NewForbidden names the resource.</summary>
    private static string Resource(AuthorizationAttributes request)
    {
        var qualified = request.ApiGroup.Length == 0 ? request.Resource : $"{request.Resource}.{request.ApiGroup}";
        return request.Name.Length > 0 ? $"{qualified} \"{request.Name}\"" : qualified;
    }

    private static string Subject(AuthorizationAttributes request)
    {
        var user = $"User \"{request.User.Name}\"";
        if (!request.IsResourceRequest)
            return $"{user} cannot {request.Verb} path \"{request.Path}\"";
        var resource = request.Subresource.Length > 0 ? $"{request.Resource}/{request.Subresource}" : request.Resource;
        var what = $"{user} cannot {request.Verb} resource \"{resource}\" in API group \"{request.ApiGroup}\"";
        return request.Namespace.Length > 0
            ? $"{what} in the namespace \"{request.Namespace}\""
            : $"{what} at the cluster scope";
    }
}
