using System.Globalization;
using Granary.Errors;

namespace Granary.Silo.Api;

/// <summary>The query and Accept header of a read: selectors, paging, watch parameters and whether a Table is wanted.</summary>
internal sealed record ApiQuery(
    string? LabelSelector,
    string? FieldSelector,
    int? Limit,
    string? Continue,
    bool Watch,
    string? ResourceVersion,
    TimeSpan? Timeout,
    bool AllowBookmarks,
    bool AsTable,
    IncludeObject Include)
{
    public static ApiQuery From(HttpRequest request)
    {
        var q = request.Query;
        return new ApiQuery(
            NullIfEmpty(q["labelSelector"]),
            NullIfEmpty(q["fieldSelector"]),
            PositiveInt(q["limit"], "limit"),
            NullIfEmpty(q["continue"]),
            Bool(q["watch"], "watch"),
            CheckedResourceVersion(q["resourceVersion"], q["resourceVersionMatch"]),
            PositiveInt(q["timeoutSeconds"], "timeoutSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Bool(q["allowWatchBookmarks"], "allowWatchBookmarks"),
            WantsTable(request.Headers.Accept.ToString()),
            IncludeOf(q["includeObject"]));
    }

    /// <summary>kubectl get asks <c>application/json;as=Table;v=v1;g=meta.k8s.io,…,application/json</c>; v1 is served.</summary>
    private static bool WantsTable(string accept) =>
        accept.Split(',').Any(media =>
        {
            var parameters = media.Split(';', StringSplitOptions.TrimEntries);
            return parameters.Contains("as=Table") && parameters.Contains("g=meta.k8s.io") && !parameters.Contains("v=v1beta1");
        });

    private static IncludeObject IncludeOf(string? value) => value switch
    {
        null or "" or "Metadata" => IncludeObject.Metadata,
        "None" => IncludeObject.None,
        "Object" => IncludeObject.Object,
        _ => throw new BadRequestException($"includeObject \"{value}\" is not one of None, Metadata, Object"),
    };

    /// <summary>
    /// resourceVersion is a number the server handed out (kube-apiserver's etcd revisions, Granary's store revisions):
    /// anything else is refused rather than read as "any version"; resourceVersionMatch takes kube's two values.
    /// </summary>
    private static string? CheckedResourceVersion(string? value, string? match)
    {
        if (!string.IsNullOrEmpty(value) && !ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new BadRequestException($"resourceVersion \"{value}\" is not a resource version: it must be a non-negative integer, as the server returns in metadata.resourceVersion");
        if (!string.IsNullOrEmpty(match))
        {
            if (match is not ("Exact" or "NotOlderThan"))
                throw new InvalidException("ListOptions", "", [FieldError.Unsupported("resourceVersionMatch", match, ["Exact", "NotOlderThan"])]);
            if (string.IsNullOrEmpty(value))
                throw new InvalidException("ListOptions", "", [FieldError.Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided")]);
        }
        return NullIfEmpty(value);
    }

    /// <summary>Go's strconv.ParseBool, as kube-apiserver reads boolean parameters; anything else is a 400.</summary>
    private static bool Bool(string? value, string name) => value switch
    {
        null or "" => false,
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new BadRequestException($"{name} \"{value}\" is not a boolean: use true or false"),
    };

    private static int? PositiveInt(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new BadRequestException($"{name} \"{value}\" is not a non-negative integer");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
