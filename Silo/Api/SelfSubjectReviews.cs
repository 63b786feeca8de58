using System.Text.Json.Nodes;
using Granary.Silo.Security;

namespace Granary.Silo.Api;

/// <summary>
/// authentication.k8s.io's SelfSubjectReview (<c>kubectl auth whoami</c>): who the server takes the caller for, after
/// impersonation. Served in v1, v1beta1 and v1alpha1, the versions kubectl 1.27–1.33 try in turn.
/// </summary>
internal static class SelfSubjectReviews
{
    private static readonly string[] Versions = ["v1", "v1beta1", "v1alpha1"];

    public static void Map(IEndpointRouteBuilder api)
    {
        foreach (var version in Versions)
            api.MapPost($"/apis/authentication.k8s.io/{version}/selfsubjectreviews", (HttpContext context, TimeProvider time) => ReviewAsync(context, version, time));
    }

    private static async Task ReviewAsync(HttpContext context, string version, TimeProvider time)
    {
        // The body (empty but for kind and apiVersion) says nothing the answer needs; it is read so a malformed one is refused.
        await ResourceWrites.ReadJsonBodyAsync(context.Request, optional: true, protobufKind: ($"authentication.k8s.io/{version}", "SelfSubjectReview"));
        var user = context.RequestUser().Effective;
        var userInfo = new JsonObject { ["username"] = user.Name };
        if (user.Uid.Length > 0)
            userInfo["uid"] = user.Uid;
        if (user.Groups.Length > 0)
            userInfo["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode)g)]);
        if (user.Extra.Count > 0)
            userInfo["extra"] = new JsonObject(user.Extra.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray([.. e.Value.Select(v => (JsonNode)v)]))));
        var review = new JsonObject
        {
            ["kind"] = "SelfSubjectReview",
            ["apiVersion"] = $"authentication.k8s.io/{version}",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) },
            ["status"] = new JsonObject { ["userInfo"] = userInfo },
        };
        await AccessReviews.WriteAsync(context, review);
    }
}
