namespace Granary.Silo.Api;

/// <summary>
/// A parsed resource path below a group/version prefix (<c>/api/v1</c> or <c>/apis/{group}/{version}</c>):
/// <c>{plural}[/{name}[/{sub}]]</c> or <c>namespaces/{ns}/{plural}[/{name}[/{sub}]]</c>. Null for anything that is not
/// a served resource.
/// </summary>
internal sealed record ResourcePath(ApiResource Resource, string? Namespace, string? Name)
{
    public bool IsCollection => Name is null;

    public static ResourcePath? Parse(string groupVersion, string rest)
    {
        var s = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // namespaces/{ns}/{plural}... is a namespaced path only when {plural} is a namespaced kind;
        // otherwise (namespaces/{name}/status) it is the namespace's own subresource.
        if (s.Length >= 3 && s[0] == "namespaces" && ApiResources.Find(groupVersion, s[2], null) is { Kind.Namespaced: true })
            return Build(groupVersion, s[2], s[1], s.Length > 3 ? s[3] : null, s.Length > 4 ? s[4] : null, s.Length > 5);
        if (s.Length is 0)
            return null;
        var path = Build(groupVersion, s[0], null, s.Length > 1 ? s[1] : null, s.Length > 2 ? s[2] : null, s.Length > 3);
        // A namespaced object is only addressed inside its namespace (/api/v1/pods/x is not a path).
        return path is { Resource.Kind.Namespaced: true, Name: not null } ? null : path;
    }

    private static ResourcePath? Build(string groupVersion, string plural, string? @namespace, string? name, string? subresource, bool tooLong)
    {
        if (tooLong || (name is null && subresource is not null))
            return null;
        return ApiResources.Find(groupVersion, plural, subresource) is { } resource ? new ResourcePath(resource, @namespace, name) : null;
    }
}
