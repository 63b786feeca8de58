using System.Text.Json.Nodes;

namespace Granary.Silo.Api;

/// <summary>
/// Legacy discovery (/api, /api/v1, /apis, /apis/{group}, /apis/{group}/{version}), which kubectl accepts for every
/// command. Aggregated discovery is not served: answering its Accept with plain application/json makes client-go read the
/// legacy form. Everything is derived from <see cref="ApiResources"/>, and from <see cref="Reviews"/> for the
/// authorization and authentication groups, whose resources are create-only reviews, not stored kinds.
/// </summary>
internal static class DiscoveryEndpoints
{
    /// <summary>The review resources (AccessReviews, SelfSubjectReviews): group/version, plural, kind; newest version first.</summary>
    private static readonly (string GroupVersion, string Name, string Kind)[] Reviews =
    [
        ("authentication.k8s.io/v1", "selfsubjectreviews", "SelfSubjectReview"),
        ("authentication.k8s.io/v1beta1", "selfsubjectreviews", "SelfSubjectReview"),
        ("authentication.k8s.io/v1alpha1", "selfsubjectreviews", "SelfSubjectReview"),
        ("authorization.k8s.io/v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
        ("authorization.k8s.io/v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
        ("authorization.k8s.io/v1", "subjectaccessreviews", "SubjectAccessReview"),
    ];

    private static IEnumerable<string> GroupVersions() =>
        ApiResources.GroupVersions.Concat(Reviews.Select(r => r.GroupVersion).Distinct()).Append(Metrics.MetricsApi.GroupVersion)
            .Append(Autoscaling.HpaV1Conversion.V1);

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
        api.MapGet("/api/v1", () => Json(ResourceList("v1")));
        api.MapGet("/apis", () => Json(new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray([.. Groups().Select(g => (JsonNode)Group(g))]),
        }));
        api.MapGet("/apis/{group}", (string group) => Groups().Contains(group) ? Json(ApiGroup(group)) : NotFound());
        api.MapGet("/apis/{group}/{version}", (string group, string version) =>
            GroupVersions().Contains($"{group}/{version}") ? Json(ResourceList($"{group}/{version}")) : NotFound());
    }

    /// <summary>The named groups served (the core group is not one of them).</summary>
    private static IEnumerable<string> Groups() =>
        GroupVersions().Where(gv => gv.Contains('/')).Select(gv => gv[..gv.IndexOf('/')]).Distinct();

    private static JsonObject Group(string group)
    {
        var versions = GroupVersions().Where(gv => gv.StartsWith(group + "/", StringComparison.Ordinal))
            .Select(gv => new JsonObject { ["groupVersion"] = gv, ["version"] = gv[(group.Length + 1)..] })
            .ToList();
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions]),
            ["preferredVersion"] = versions[0].DeepClone(),
        };
    }

    private static JsonObject ApiGroup(string group)
    {
        var body = Group(group);
        body["kind"] = "APIGroup";
        body["apiVersion"] = "v1";
        return body;
    }

    private static IResult NotFound() => Json(ApiStatus.PathNotFound(), 404);

    private static JsonObject ResourceList(string groupVersion)
    {
        var resources = new JsonArray();
        foreach (var r in ApiResources.All.Where(r => r.GroupVersion == groupVersion))
        {
            var entry = new JsonObject
            {
                ["name"] = r.Name,
                ["singularName"] = r.IsSubresource ? "" : r.Kind.Singular,
                ["namespaced"] = r.Kind.Namespaced,
                ["kind"] = r.Body?.Kind ?? r.Kind.Kind,
                ["verbs"] = new JsonArray([.. r.Verbs.Select(v => (JsonNode)v)]),
            };
            if (r.Body is var (group, version, _))
            {
                entry["group"] = group;
                entry["version"] = version;
            }
            if (!r.IsSubresource)
            {
                entry["shortNames"] = new JsonArray([.. r.Kind.ShortNames.Select(s => (JsonNode)s)]);
                if (ApiResources.Categories(r.Kind) is { Length: > 0 } categories)
                    entry["categories"] = new JsonArray([.. categories.Select(c => (JsonNode)c)]);
            }
            resources.Add(entry);
        }
        foreach (var (_, name, kind) in Reviews.Where(r => r.GroupVersion == groupVersion))
            resources.Add(new JsonObject { ["name"] = name, ["singularName"] = "", ["namespaced"] = false, ["kind"] = kind, ["verbs"] = new JsonArray("create") });
        if (groupVersion == Autoscaling.HpaV1Conversion.V1)
        {
            foreach (var (name, verbs) in Autoscaling.AutoscalingV1Edge.Resources)
            {
                var entry = new JsonObject { ["name"] = name, ["singularName"] = name.Contains('/') ? "" : "horizontalpodautoscaler", ["namespaced"] = true, ["kind"] = "HorizontalPodAutoscaler", ["verbs"] = new JsonArray([.. verbs.Select(v => (JsonNode)v)]) };
                if (!name.Contains('/'))
                {
                    entry["shortNames"] = new JsonArray("hpa");
                    entry["categories"] = new JsonArray("all");
                }
                resources.Add(entry);
            }
        }
        if (groupVersion == Metrics.MetricsApi.GroupVersion)
        {
            foreach (var (name, kind, namespaced) in Metrics.MetricsApi.Resources)
                resources.Add(new JsonObject { ["name"] = name, ["singularName"] = "", ["namespaced"] = namespaced, ["kind"] = kind, ["verbs"] = new JsonArray([.. Metrics.MetricsApi.Verbs.Select(v => (JsonNode)v)]) });
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = groupVersion,
            ["resources"] = resources,
        };
    }

    internal static IResult Json(JsonNode body, int status = 200) =>
        Results.Content(body.ToJsonString(Serialization.GranaryJson.Options), "application/json", statusCode: status);
}
