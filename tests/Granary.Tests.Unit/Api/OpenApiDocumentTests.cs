using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Silo.Api;
using Granary.Silo.Api.OpenApi;

namespace Granary.Tests.Unit.Api;

public sealed class OpenApiDocumentTests
{
    private static JsonObject Document(ResourceKind kind) =>
        JsonNode.Parse(OpenApiDocuments.Find(GroupVersion.Of(kind).Path)!.Json)!.AsObject();

    public static TheoryData<string> Kinds() => [.. ResourceKinds.All.Select(k => k.Kind)];

    private static ResourceKind KindNamed(string name) => ResourceKinds.All.Single(k => k.Kind == name);

    [Fact]
    public void Root_ListsEveryServedGroupVersion_WithTheHashOfItsDocument()
    {
        var root = JsonNode.Parse(OpenApiDocuments.Root)!["paths"]!.AsObject();
        var served = ApiResources.All.Select(r => GroupVersion.Of(r.Kind).Path).Distinct().Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(served, root.Select(p => p.Key).ToArray());
        foreach (var (path, entry) in root)
        {
            var document = OpenApiDocuments.Find(path)!;
            var hash = Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(document.Json)));
            Assert.Equal($"/openapi/v3/{path}?hash={hash}", (string?)entry!["serverRelativeURL"]);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKind_HasAPatchDeclaringFieldValidationAndDryRun_WithItsGroupVersionKind(string kindName)
    {
        var kind = KindNamed(kindName);
        var gv = GroupVersion.Of(kind);
        var item = kind.Namespaced ? $"{gv.UrlPrefix}/namespaces/{{namespace}}/{kind.Plural}/{{name}}" : $"{gv.UrlPrefix}/{kind.Plural}/{{name}}";

        var patch = Document(kind)["paths"]![item]!["patch"]!;

        Assert.Equal(kind.Kind, (string?)patch["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.Equal(gv.Version, (string?)patch["x-kubernetes-group-version-kind"]!["version"]);
        var parameters = patch["parameters"]!.AsArray().Select(p => (string?)p!["name"]).ToArray();
        Assert.Contains("fieldValidation", parameters);
        Assert.Contains("dryRun", parameters);
        Assert.Contains("force", parameters);
        Assert.NotNull(patch["requestBody"]!["content"]!["application/apply-patch+yaml"]);
    }

    /// <summary>
    /// kubectl takes the first PATCH marked with the object's kind it meets (in no set order) to learn whether the
    /// server validates fields; one without fieldValidation (as a proxy's connect PATCH would be) sends it to
    /// /openapi/v2, which is not served, and apply fails at random.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryPatchMarkedWithTheKind_DeclaresFieldValidation(string kindName)
    {
        var kind = KindNamed(kindName);
        var patches = Document(kind)["paths"]!.AsObject()
            .Where(p => (string?)p.Value!["patch"]?["x-kubernetes-group-version-kind"]?["kind"] == kind.Kind)
            .Select(p => (p.Key, Parameters: p.Value!["patch"]!["parameters"]!.AsArray().Select(q => (string?)q!["name"]).ToArray()))
            .ToList();

        Assert.NotEmpty(patches);
        Assert.All(patches, p => Assert.Contains("fieldValidation", p.Parameters));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryKind_HasASchemaMarkedWithItsGroupVersionKind(string kindName)
    {
        var kind = KindNamed(kindName);

        var schema = Document(kind)["components"]!["schemas"]![OpenApiSchemas.KindSchemaName(kind)]!;

        var gvk = Assert.Single(schema["x-kubernetes-group-version-kind"]!.AsArray())!;
        Assert.Equal(kind.Kind, (string?)gvk["kind"]);
        Assert.Equal(GroupVersion.Of(kind).Group, (string?)gvk["group"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", (string?)schema["properties"]!["metadata"]!["$ref"]);
    }

    [Fact]
    public void EveryDocument_ReferencesOnlySchemasItHolds_InOpenApi30Shape()
    {
        foreach (var (path, document) in OpenApiDocuments.All)
        {
            var json = JsonNode.Parse(document.Json)!;
            var schemas = json["components"]!["schemas"]!.AsObject();
            Assert.Equal("3.0.0", (string?)json["openapi"]);
            foreach (var node in Descendants(json))
            {
                if (node is JsonObject o && o["$ref"] is JsonValue reference)
                    Assert.True(schemas.ContainsKey(((string)reference!)["#/components/schemas/".Length..]), $"{path}: dangling {reference}");
                // (A "type" that is an object is a property named type, as NodeAddress has.)
                if (node is JsonObject typed && typed["type"] is JsonArray)
                    Assert.Fail($"{path}: a schema with several types: {typed.ToJsonString()}");
            }
        }
    }

    [Fact]
    public void PodSchemas_FollowTheModel()
    {
        var schemas = Document(ResourceKinds.Pod)["components"]!["schemas"]!;

        var container = schemas["io.k8s.api.core.v1.Container"]!["properties"]!;
        Assert.Equal("string", (string?)container["image"]!["type"]);
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.ContainerPort", (string?)container["ports"]!["items"]!["$ref"]);
        // kubectl's client-side apply merges lists by these keys only when the schema says so.
        var containers = schemas["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        Assert.Equal("name", (string?)containers["x-kubernetes-patch-merge-key"]);
        Assert.Equal("merge", (string?)containers["x-kubernetes-patch-strategy"]);
        Assert.Null(container["command"]!["x-kubernetes-patch-merge-key"]);
        Assert.Equal("integer", (string?)schemas["io.k8s.api.core.v1.ContainerPort"]!["properties"]!["containerPort"]!["type"]);
        Assert.Equal("string", (string?)schemas["io.k8s.api.core.v1.ResourceRequirements"]!["properties"]!["limits"]!["additionalProperties"]!["type"]);
        Assert.Equal(true, (bool?)schemas["io.k8s.api.core.v1.TcpSocketAction"]!["properties"]!["port"]!["x-kubernetes-int-or-string"]);
        Assert.Equal("date-time", (string?)schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]!["properties"]!["creationTimestamp"]!["format"]);
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var d in Descendants(child))
                yield return d;
        }
    }
}
