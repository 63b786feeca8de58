using Granary.Model;

namespace Granary.Grains.Security.Rbac;

/// <summary>
/// Whether one PolicyRule covers a request, as kube's rbac.RuleAllows: every list must match, "*" matches anything,
/// a resource with a subresource is "pods/log" (matched by "pods/log", "*/log" or "*", never by "pods"), an empty
/// resourceNames means every object, and a non-resource URL ending in "*" matches every path it prefixes.
/// </summary>
public static class RuleMatching
{
    public const string All = "*";

    public static bool Allows(PolicyRule rule, AuthorizationAttributes request)
    {
        if (!Matches(rule.Verbs, request.Verb))
            return false;
        if (!request.IsResourceRequest)
            return NonResourceUrlMatches(rule, request.Path);
        if (rule.NonResourceUrls is { Count: > 0 } && rule.Resources is not { Count: > 0 })
            return false;
        return Matches(rule.ApiGroups, request.ApiGroup) && ResourceMatches(rule, request.Resource, request.Subresource)
            && (rule.ResourceNames is not { Count: > 0 } names || names.Contains(request.Name, StringComparer.Ordinal));
    }

    public static bool ResourceMatches(PolicyRule rule, string resource, string subresource)
    {
        var combined = subresource.Length == 0 ? resource : $"{resource}/{subresource}";
        foreach (var candidate in rule.Resources ?? [])
        {
            if (candidate == All || candidate == combined)
                return true;
            if (subresource.Length > 0 && candidate == $"*/{subresource}")
                return true;
        }
        return false;
    }

    public static bool NonResourceUrlMatches(PolicyRule rule, string path)
    {
        foreach (var url in rule.NonResourceUrls ?? [])
        {
            if (url == All || url == path)
                return true;
            if (url.EndsWith('*') && path.StartsWith(url[..^1], StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static bool Matches(IReadOnlyList<string>? values, string requested) =>
        values is not null && values.Any(v => v == All || v == requested);
}
