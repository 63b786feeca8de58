using Granary.Grains.Security;

namespace Granary.Silo.Security;

/// <summary>
/// What a request asks to do, read from its method, path and query as kube-apiserver's RequestInfoFactory does:
/// /api/v1/… and /apis/{group}/{version}/… with at least a resource are resource requests (GET of a collection is
/// list, or watch with ?watch=true or a /watch/ path; DELETE of one is deletecollection; namespaces/{ns}/… sets the
/// namespace; a third part is the subresource); everything else (/version, /api, /apis/apps/v1, /openapi/v2) is a
/// non-resource request whose verb is the lower-cased HTTP method.
/// </summary>
internal static class RequestAttributes
{
    private static readonly HashSet<string> NamespaceSubresources = new(StringComparer.Ordinal) { "status", "finalize" };

    public static AuthorizationAttributes Resolve(UserInfo user, string method, string path, IQueryCollection query)
    {
        var nonResource = new AuthorizationAttributes { User = user, Verb = method.ToLowerInvariant(), IsResourceRequest = false, Path = path };
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || parts[0] is not ("api" or "apis"))
            return nonResource;
        string group;
        var rest = parts.AsSpan(1);
        if (parts[0] == "apis")
        {
            if (rest.Length < 3)
                return nonResource;
            group = rest[0];
            rest = rest[1..];
        }
        else
        {
            group = "";
        }
        rest = rest[1..]; // the version

        string verb;
        if (rest[0] is "watch" or "proxy")
        {
            if (rest.Length < 2)
                return nonResource;
            verb = rest[0];
            rest = rest[1..];
        }
        else
        {
            verb = method.ToUpperInvariant() switch
            {
                "POST" => "create",
                "GET" or "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "",
            };
        }

        var @namespace = "";
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            @namespace = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2]))
                rest = rest[2..];
        }
        var resource = rest[0];
        var name = rest.Length >= 2 ? rest[1] : "";
        var subresource = rest.Length >= 3 && verb != "proxy" ? rest[2] : "";

        if (name.Length == 0 && verb == "get")
        {
            verb = IsTrue(query["watch"].ToString()) ? "watch" : "list";
            // A list of one object by field selector is authorized as that object (kubectl get pod x -w).
            if (ExactName(query["fieldSelector"].ToString()) is { } selected)
                name = selected;
        }
        if (name.Length == 0 && verb == "delete")
            verb = "deletecollection";
        return new AuthorizationAttributes
        {
            User = user,
            Verb = verb,
            ApiGroup = group,
            Resource = resource,
            Subresource = subresource,
            Namespace = @namespace,
            Name = name,
            Path = path,
        };
    }

    private static bool IsTrue(string value) => value is "true" or "1" or "True";

    /// <summary>The name of a field selector "metadata.name=x" (or "=="), when that is all it says.</summary>
    private static string? ExactName(string selector)
    {
        if (selector.Contains(',', StringComparison.Ordinal))
            return null;
        foreach (var op in new[] { "==", "=" })
        {
            var prefix = "metadata.name" + op;
            if (selector.StartsWith(prefix, StringComparison.Ordinal) && selector.Length > prefix.Length
                && !selector[prefix.Length..].Contains('/', StringComparison.Ordinal) && !selector[prefix.Length..].Contains('%', StringComparison.Ordinal))
                return selector[prefix.Length..];
        }
        return null;
    }
}
