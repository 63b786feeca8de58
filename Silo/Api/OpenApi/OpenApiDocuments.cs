using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Silo.Api.OpenApi;

/// <summary>One served OpenAPI v3 document: its JSON and the hash its URL carries (changes whenever the JSON does).</summary>
internal sealed record OpenApiDocument(string Json, string Hash);

/// <summary>
/// The OpenAPI v3 documents kube-apiserver serves: a root listing every group version with the URL of its
/// document (<c>?hash=</c> of the content, so clients may cache it forever), and one document per group version.
/// Everything is derived from <see cref="ApiResources.All"/> and the model types, built once per process.
/// </summary>
internal static class OpenApiDocuments
{
    public const string Prefix = "/openapi/v3";

    private static readonly Lazy<FrozenDictionary<string, OpenApiDocument>> Documents = new(BuildAll);
    private static readonly Lazy<string> RootJson = new(BuildRoot);

    /// <summary>The document of a group version by its path ("api/v1", "apis/apps/v1"), or null.</summary>
    public static OpenApiDocument? Find(string groupVersionPath) => Documents.Value.GetValueOrDefault(groupVersionPath.Trim('/'));

    public static string Root => RootJson.Value;

    public static IReadOnlyDictionary<string, OpenApiDocument> All => Documents.Value;

    private static string BuildRoot()
    {
        var paths = new JsonObject();
        foreach (var (path, document) in Documents.Value.OrderBy(d => d.Key, StringComparer.Ordinal))
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"{Prefix}/{path}?hash={document.Hash}" };
        return new JsonObject { ["paths"] = paths }.ToJsonString(GranaryJson.Options);
    }

    private static FrozenDictionary<string, OpenApiDocument> BuildAll() =>
        ApiResources.All
            .GroupBy(r => GroupVersion.Of(r.Kind))
            .ToFrozenDictionary(g => g.Key.Path, g => Serialize(Build(g.Key, [.. g])));

    /// <summary>The document of one group version: its paths and the schemas they reference.</summary>
    internal static JsonObject Build(GroupVersion gv, IReadOnlyList<ApiResource> resources)
    {
        var kinds = resources.Select(r => r.Kind).Distinct().ToList();
        var schemas = OpenApiSchemas.Build(kinds);
        foreach (var kind in kinds)
            schemas[OpenApiPaths.ListSchemaName(kind)] = ListSchema(kind);
        foreach (var (name, schema) in MetaSchemas())
            schemas[name] = schema;
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = VersionEndpoints.GitVersion },
            ["paths"] = OpenApiPaths.Build(gv, resources),
            ["components"] = new JsonObject
            {
                ["schemas"] = new JsonObject(schemas.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
            },
        };
    }

    private static OpenApiDocument Serialize(JsonObject document)
    {
        var json = document.ToJsonString(GranaryJson.Options);
        return new OpenApiDocument(json, Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(json))));
    }

    private static JsonObject ListSchema(ResourceKind kind) => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("items"),
        ["properties"] = new JsonObject
        {
            ["apiVersion"] = new JsonObject { ["type"] = "string" },
            ["kind"] = new JsonObject { ["type"] = "string" },
            ["metadata"] = OpenApiSchemas.Ref($"{OpenApiSchemas.MetaPackage}.ListMeta"),
            ["items"] = new JsonObject { ["type"] = "array", ["items"] = OpenApiSchemas.Ref(OpenApiSchemas.KindSchemaName(kind)) },
        },
        ["x-kubernetes-group-version-kind"] = OpenApiSchemas.GroupVersionKind(kind, $"{kind.Kind}List"),
    };

    /// <summary>The request and list types of meta/v1 the paths reference; they have no model record.</summary>
    private static IEnumerable<(string Name, JsonObject Schema)> MetaSchemas()
    {
        JsonObject Str() => new() { ["type"] = "string" };
        yield return ($"{OpenApiSchemas.MetaPackage}.Patch", new JsonObject
        {
            ["type"] = "object",
            ["description"] = "A patch: its format is the request's Content-Type.",
        });
        yield return ($"{OpenApiSchemas.MetaPackage}.ListMeta", new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["continue"] = Str(), ["resourceVersion"] = Str() },
        });
        yield return ($"{OpenApiSchemas.MetaPackage}.DeleteOptions", new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = Str(),
                ["kind"] = Str(),
                ["gracePeriodSeconds"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
                ["preconditions"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["resourceVersion"] = Str(), ["uid"] = Str() },
                },
                ["propagationPolicy"] = Str(),
            },
        });
    }
}
