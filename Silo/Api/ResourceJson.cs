using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Silo.Api;

/// <summary>Objects and lists in their Kubernetes JSON form, written with <see cref="GranaryJson"/> (the one JSON of every object).</summary>
internal static class ResourceJson
{
    public static JsonObject Object(IResource resource) =>
        JsonSerializer.SerializeToNode(resource, resource.GetType(), GranaryJson.Options)!.AsObject();

    /// <summary>PodList and so on: metadata.resourceVersion is the list's (a watch starts from it).</summary>
    public static JsonObject List(ResourceKind kind, IEnumerable<IResource> items, string resourceVersion, string? continueToken) => new()
    {
        ["kind"] = $"{kind.Kind}List",
        ["apiVersion"] = kind.ApiVersion,
        ["metadata"] = ListMeta(resourceVersion, continueToken),
        ["items"] = new JsonArray([.. items.Select(i => (JsonNode)Object(i))]),
    };

    public static JsonObject ListMeta(string? resourceVersion, string? continueToken)
    {
        var meta = new JsonObject();
        if (resourceVersion is not null)
            meta["resourceVersion"] = resourceVersion;
        if (!string.IsNullOrEmpty(continueToken))
            meta["continue"] = continueToken;
        return meta;
    }

    /// <summary>metadata only, as kube-apiserver's PartialObjectMetadata (Table rows' default object).</summary>
    public static JsonObject PartialObjectMetadata(IResource resource) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = JsonSerializer.SerializeToNode(resource.Metadata, GranaryJson.Options),
    };
}
