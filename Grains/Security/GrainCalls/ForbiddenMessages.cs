namespace Granary.Grains.Security.GrainCalls;

/// <summary>kube-apiserver's wording of a denied request, so the SDK and CLI print what kubectl would.</summary>
public static class ForbiddenMessages
{
    /// <summary>e.g. <c>pods "web" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "default"</c>.</summary>
    public static string For(AuthorizationAttributes a, string reason)
    {
        var suffix = string.IsNullOrEmpty(reason) ? "" : $": {reason}";
        if (!a.IsResourceRequest)
            return $"forbidden: User \"{a.User.Name}\" cannot {a.Verb} path \"{a.Path}\"{suffix}";
        var resource = a.Subresource.Length > 0 ? $"{a.Resource}/{a.Subresource}" : a.Resource;
        var subject = a.Name.Length > 0 ? $"{a.Resource} \"{a.Name}\"" : a.Resource;
        var scope = a.Namespace.Length > 0 ? $"in the namespace \"{a.Namespace}\"" : "at the cluster scope";
        return $"{subject} is forbidden: User \"{a.User.Name}\" cannot {a.Verb} resource \"{resource}\" in API group \"{a.ApiGroup}\" {scope}{suffix}";
    }
}
