using System.Text.Json.Nodes;
using Granary.Model;

namespace Granary.Silo.Api.OpenApi;

/// <summary>
/// The paths of one group version's OpenAPI document: for every served resource and subresource, the operations
/// its verbs allow, with kube-apiserver's operation ids, parameters and <c>x-kubernetes-group-version-kind</c>.
/// kubectl create/apply/replace look for the PATCH of each kind and its <c>fieldValidation</c> parameter before
/// they send anything (and <c>dryRun</c> for --dry-run=server).
/// </summary>
internal static class OpenApiPaths
{
    private const string Json = "application/json";

    /// <summary>The query parameters the server honours for each write, as kube declares them.</summary>
    private static JsonArray WriteParameters(bool patch, bool apply)
    {
        var parameters = new JsonArray
        {
            Query("dryRun", "string", "When present, the modification is validated and not persisted. The only valid value is All."),
            Query("fieldManager", "string", "The name of the actor making the change. Required for apply (application/apply-patch+yaml)."),
            Query("fieldValidation", "string", "What to do with unknown or duplicate fields in the request: Ignore, Warn (default) or Strict."),
        };
        if (patch && apply)
            parameters.Add(Query("force", "boolean", "Apply only: take the fields other managers own instead of failing with a conflict."));
        return parameters;
    }

    private static JsonArray ListParameters() =>
    [
        Query("allowWatchBookmarks", "boolean", "With watch: send BOOKMARK events with the current version while nothing changes."),
        Query("continue", "string", "The continue token of the previous page."),
        Query("fieldSelector", "string", "Restricts the list by fields: metadata.name, metadata.namespace and the kind's own (spec.nodeName and status.phase of pods, the involvedObject fields of events, ...)."),
        Query("labelSelector", "string", "Restricts the list by labels."),
        Query("limit", "integer", "The most items one page returns."),
        Query("resourceVersion", "string", "With watch: the version to watch from."),
        Query("timeoutSeconds", "integer", "How long a watch stays open."),
        Query("watch", "boolean", "Stream add, update and delete events instead of listing."),
    ];

    public static JsonObject Build(GroupVersion gv, IEnumerable<ApiResource> resources)
    {
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var resource in resources)
            AddResource(paths, gv, resource);
        return new JsonObject(paths.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
    }

    private static void AddResource(SortedDictionary<string, JsonObject> paths, GroupVersion gv, ApiResource resource)
    {
        var kind = resource.Kind;
        var ns = kind.Namespaced;
        var collection = ns ? $"{gv.UrlPrefix}/namespaces/{{namespace}}/{kind.Plural}" : $"{gv.UrlPrefix}/{kind.Plural}";
        var item = collection + "/{name}";
        var subresource = resource.IsSubresource ? resource.Name[(resource.Name.IndexOf('/', StringComparison.Ordinal) + 1)..] : null;
        var scope = ns ? "Namespaced" : "";
        var schema = OpenApiSchemas.KindSchemaName(kind);
        var gvk = OpenApiSchemas.GroupVersionKind(kind);

        if (subresource is not null)
        {
            var path = Path(paths, $"{item}/{subresource}", ns, named: true, kind);
            var suffix = char.ToUpperInvariant(subresource[0]) + subresource[1..];
            if (subresource == "log")
            {
                if (resource.Serves("get"))
                    path["get"] = Operation($"read{gv.OperationPrefix}{scope}{kind.Kind}Log", "get", gvk, LogParameters(), null, ("200", "text/plain", new JsonObject { ["type"] = "string" }));
                return;
            }
            if (subresource == "proxy")
            {
                // Anything the proxied server answers: kube-apiserver's "connect" operations, one per method. Their kind
                // is the options kind (PodProxyOptions), as kube's: kubectl looks for the object kind's PATCH to learn
                // whether the server validates fields, and must not find the proxy's.
                var options = OpenApiSchemas.GroupVersionKind(kind, $"{kind.Kind}ProxyOptions");
                foreach (var method in (string[])["get", "put", "post", "patch", "delete", "head", "options"])
                {
                    var name = char.ToUpperInvariant(method[0]) + method[1..];
                    path[method] = Operation($"connect{name}{gv.OperationPrefix}{scope}{kind.Kind}Proxy", "connect", options, [], null, ("200", "*/*", new JsonObject { ["type"] = "string" }));
                }
                return;
            }
            AddItemOperations(path, $"{gv.OperationPrefix}{scope}{kind.Kind}{suffix}", resource, schema, gvk, delete: false);
            return;
        }

        if (resource.Serves("list") || resource.Serves("create"))
        {
            var path = Path(paths, collection, ns, named: false, kind);
            if (resource.Serves("list"))
                path["get"] = Operation($"list{gv.OperationPrefix}{scope}{kind.Kind}", "list", gvk, ListParameters(), null, ("200", Json, OpenApiSchemas.Ref(ListSchemaName(kind))));
            if (resource.Serves("create"))
                path["post"] = Operation($"create{gv.OperationPrefix}{scope}{kind.Kind}", "post", gvk, WriteParameters(patch: false, apply: false),
                    Body(Json, OpenApiSchemas.Ref(schema)), ("200", Json, OpenApiSchemas.Ref(schema)), ("201", Json, OpenApiSchemas.Ref(schema)));
        }
        if (ns && resource.Serves("list"))
        {
            var all = Path(paths, $"{gv.UrlPrefix}/{kind.Plural}", false, named: false, kind);
            all["get"] = Operation($"list{gv.OperationPrefix}{kind.Kind}ForAllNamespaces", "list", gvk, ListParameters(), null, ("200", Json, OpenApiSchemas.Ref(ListSchemaName(kind))));
        }
        AddItemOperations(Path(paths, item, ns, named: true, kind), $"{gv.OperationPrefix}{scope}{kind.Kind}", resource, schema, gvk, delete: true);
    }

    private static void AddItemOperations(JsonObject path, string id, ApiResource resource, string schema, JsonArray gvk, bool delete)
    {
        var body = OpenApiSchemas.Ref(schema);
        if (resource.Serves("get"))
            path["get"] = Operation($"read{id}", "get", gvk, [], null, ("200", Json, body));
        if (resource.Serves("update"))
            path["put"] = Operation($"replace{id}", "put", gvk, WriteParameters(patch: false, apply: false), Body(Json, body), ("200", Json, body));
        if (resource.Serves("patch"))
        {
            var patchBody = new JsonObject();
            foreach (var mediaType in PatchMediaTypes(apply: !resource.IsSubresource))
                patchBody[mediaType] = new JsonObject { ["schema"] = OpenApiSchemas.Ref($"{OpenApiSchemas.MetaPackage}.Patch") };
            path["patch"] = Operation($"patch{id}", "patch", gvk, WriteParameters(patch: true, apply: !resource.IsSubresource),
                new JsonObject { ["content"] = patchBody, ["required"] = true }, ("200", Json, body), ("201", Json, body));
        }
        if (delete && resource.Serves("delete"))
        {
            var parameters = WriteParameters(patch: false, apply: false);
            parameters.RemoveAt(parameters.Count - 1); // fieldValidation
            parameters.RemoveAt(parameters.Count - 1); // fieldManager
            parameters.Add(Query("gracePeriodSeconds", "integer", "Seconds before the object is deleted; 0 deletes at once."));
            path["delete"] = Operation($"delete{id}", "delete", gvk, parameters,
                Body(Json, OpenApiSchemas.Ref($"{OpenApiSchemas.MetaPackage}.DeleteOptions")), ("200", Json, body));
        }
    }

    /// <summary>The patch formats the server reads; apply (server-side apply) is not served on subresources.</summary>
    public static IEnumerable<string> PatchMediaTypes(bool apply) =>
        apply
            ? ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"]
            : ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

    public static string ListSchemaName(ResourceKind kind) => OpenApiSchemas.KindSchemaName(kind) + "List";

    private static JsonArray LogParameters() =>
    [
        Query("container", "string", "The container whose logs to read; optional when the pod has one."),
        Query("follow", "boolean", "Stream the logs as they are written."),
        Query("previous", "boolean", "The logs of the previous, ended instance of the container."),
        Query("sinceSeconds", "integer", "Only lines newer than this many seconds."),
        Query("tailLines", "integer", "Only the last lines."),
        Query("timestamps", "boolean", "Prefix each line with its time."),
    ];

    /// <summary>A path item with kube's path-level parameters (name, namespace).</summary>
    private static JsonObject Path(SortedDictionary<string, JsonObject> paths, string key, bool namespaced, bool named, ResourceKind kind)
    {
        if (paths.TryGetValue(key, out var existing))
            return existing;
        var parameters = new JsonArray();
        if (named)
            parameters.Add(PathParameter("name", $"name of the {kind.Kind}"));
        if (namespaced)
            parameters.Add(PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        var path = new JsonObject { ["parameters"] = parameters };
        paths[key] = path;
        return path;
    }

    private static JsonObject Operation(string id, string action, JsonArray gvk, JsonArray parameters, JsonObject? body, params (string Code, string MediaType, JsonObject Schema)[] responses)
    {
        var answers = new JsonObject();
        foreach (var (code, mediaType, schema) in responses)
        {
            answers[code] = new JsonObject
            {
                ["description"] = code == "201" ? "Created" : "OK",
                ["content"] = new JsonObject { [mediaType] = new JsonObject { ["schema"] = schema.DeepClone() } },
            };
        }
        answers["401"] = new JsonObject { ["description"] = "Unauthorized" };
        var operation = new JsonObject
        {
            ["operationId"] = id,
            ["parameters"] = parameters,
            ["responses"] = answers,
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = gvk[0]!.DeepClone(),
        };
        if (body is not null)
            operation["requestBody"] = body;
        return operation;
    }

    private static JsonObject Body(string mediaType, JsonObject schema) => new()
    {
        ["content"] = new JsonObject { [mediaType] = new JsonObject { ["schema"] = schema } },
        ["required"] = true,
    };

    private static JsonObject Query(string name, string type, string description) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    private static JsonObject PathParameter(string name, string description) => new()
    {
        ["name"] = name,
        ["in"] = "path",
        ["description"] = description,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };
}
