using System.Text.Json.Nodes;

namespace Granary.Silo.Api;

/// <summary>
/// Legacy discovery (/api, /apis, /api/v1), which kubectl accepts for every command. Aggregated discovery is not
/// served: answering its Accept with plain application/json makes client-go read the legacy form.
/// </summary>
internal static class DiscoveryEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/api", (HttpContext context) => Json(new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
            {
                ["clientCIDR"] = "0.0.0.0/0",
                ["serverAddress"] = context.Request.Host.Value,
            }),
        }));
        api.MapGet("/apis", () => Json(new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray(),
        }));
        api.MapGet("/api/v1", () => Json(ResourceList()));
    }

    private static JsonObject ResourceList()
    {
        var resources = new JsonArray();
        foreach (var r in ApiResources.All)
        {
            var entry = new JsonObject
            {
                ["name"] = r.Name,
                ["singularName"] = r.IsSubresource ? "" : r.Kind.Singular,
                ["namespaced"] = r.Kind.Namespaced,
                ["kind"] = r.Kind.Kind,
                ["verbs"] = new JsonArray([.. r.Verbs.Select(v => (JsonNode)v)]),
            };
            if (!r.IsSubresource)
            {
                entry["shortNames"] = new JsonArray([.. r.Kind.ShortNames.Select(s => (JsonNode)s)]);
                if (ApiResources.Categories(r.Kind) is { Length: > 0 } categories)
                    entry["categories"] = new JsonArray([.. categories.Select(c => (JsonNode)c)]);
            }
            resources.Add(entry);
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = "v1",
            ["resources"] = resources,
        };
    }

    internal static IResult Json(JsonNode body, int status = 200) =>
        Results.Content(body.ToJsonString(Serialization.GranaryJson.Options), "application/json", statusCode: status);
}
