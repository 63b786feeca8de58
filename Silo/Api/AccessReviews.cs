using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Granary.Errors;
using Granary.Grains.Security;
using Granary.Grains.Security.Rbac;
using Granary.Silo.Security;

namespace Granary.Silo.Api;

/// <summary>
/// authorization.k8s.io/v1's reviews, which ask the authorizer and store nothing: SelfSubjectAccessReview
/// (<c>kubectl auth can-i VERB RESOURCE</c>: may I?), SelfSubjectRulesReview (<c>kubectl auth can-i --list</c>: what
/// may I do in a namespace?) and SubjectAccessReview (may that user? for administrators; RBAC grants create on it to
/// cluster-admin only). Bodies are JSON or protobuf; the answer is the request with its status filled, code 201.
/// </summary>
internal static class AccessReviews
{
    private const string GroupVersion = "authorization.k8s.io/v1";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost($"/apis/{GroupVersion}/selfsubjectaccessreviews", (HttpContext context, IAuthorizer authorizer) =>
            AccessReviewAsync(context, authorizer, "SelfSubjectAccessReview", context.RequestUser().Effective));
        api.MapPost($"/apis/{GroupVersion}/subjectaccessreviews", (HttpContext context, IAuthorizer authorizer) =>
            AccessReviewAsync(context, authorizer, "SubjectAccessReview", user: null));
        api.MapPost($"/apis/{GroupVersion}/selfsubjectrulesreviews", RulesReviewAsync);
    }

    private static async Task AccessReviewAsync(HttpContext context, IAuthorizer authorizer, string kind, UserInfo? user)
    {
        var review = await ReadAsync(context, kind);
        var spec = review["spec"] as JsonObject ?? throw Invalid(kind, FieldError.Required("spec"));
        user ??= SubjectOf(kind, spec);
        var request = AttributesOf(kind, spec, user);
        var result = await authorizer.AuthorizeAsync(request, context.RequestAborted);
        var status = new JsonObject { ["allowed"] = result.Allowed };
        if (result.Reason.Length > 0)
            status["reason"] = result.Reason;
        review["status"] = status;
        await WriteAsync(context, review);
    }

    private static async Task RulesReviewAsync(HttpContext context, RbacAuthorizer rbac)
    {
        const string kind = "SelfSubjectRulesReview";
        var review = await ReadAsync(context, kind);
        var @namespace = (string?)review["spec"]?["namespace"] ?? "";
        var policy = await rbac.PolicyAsync(context.RequestAborted);
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var granted in policy.RulesFor(context.RequestUser().Effective, @namespace))
        {
            var rule = granted.Rule;
            if (rule.NonResourceUrls is { Count: > 0 } urls)
            {
                nonResourceRules.Add(new JsonObject { ["verbs"] = Strings(rule.Verbs), ["nonResourceURLs"] = Strings(urls) });
                continue;
            }
            var entry = new JsonObject { ["verbs"] = Strings(rule.Verbs) };
            if (rule.ApiGroups is { Count: > 0 } groups)
                entry["apiGroups"] = Strings(groups);
            if (rule.Resources is { Count: > 0 } resources)
                entry["resources"] = Strings(resources);
            if (rule.ResourceNames is { Count: > 0 } names)
                entry["resourceNames"] = Strings(names);
            resourceRules.Add(entry);
        }
        review["status"] = new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = false };
        await WriteAsync(context, review);
    }

    /// <summary>A SubjectAccessReview's user: spec.user and spec.groups (at least one of them, as kube requires).</summary>
    private static UserInfo SubjectOf(string kind, JsonObject spec)
    {
        var name = (string?)spec["user"] ?? "";
        var groups = (spec["groups"] as JsonArray)?.Select(g => (string?)g ?? "").Where(g => g.Length > 0).ToList() ?? [];
        if (name.Length == 0 && groups.Count == 0)
            throw Invalid(kind, FieldError.Invalid("spec.user", "", "at least one of user or group must be specified"));
        var extra = (spec["extra"] as JsonObject)?.ToImmutableDictionary(e => e.Key,
            e => (e.Value as JsonArray)?.Select(v => (string?)v ?? "").ToImmutableArray() ?? []) ?? ImmutableDictionary<string, ImmutableArray<string>>.Empty;
        return new UserInfo(name, (string?)spec["uid"] ?? "", [.. groups], extra);
    }

    /// <summary>spec.resourceAttributes or spec.nonResourceAttributes, exactly one, as kube validates.</summary>
    private static AuthorizationAttributes AttributesOf(string kind, JsonObject spec, UserInfo user)
    {
        var resource = spec["resourceAttributes"] as JsonObject;
        var nonResource = spec["nonResourceAttributes"] as JsonObject;
        if (resource is not null && nonResource is not null)
            throw Invalid(kind, FieldError.Invalid("spec.nonResourceAttributes", null, "cannot be specified in combination with resourceAttributes"));
        if (resource is null && nonResource is null)
            throw Invalid(kind, FieldError.Invalid("spec.resourceAttributes", null, "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        if (nonResource is not null)
            return new AuthorizationAttributes
            {
                User = user,
                IsResourceRequest = false,
                Verb = (string?)nonResource["verb"] ?? "",
                Path = (string?)nonResource["path"] ?? "",
            };
        return new AuthorizationAttributes
        {
            User = user,
            Verb = (string?)resource!["verb"] ?? "",
            ApiGroup = (string?)resource["group"] ?? "",
            Resource = (string?)resource["resource"] ?? "",
            Subresource = (string?)resource["subresource"] ?? "",
            Namespace = (string?)resource["namespace"] ?? "",
            Name = (string?)resource["name"] ?? "",
        };
    }

    private static async Task<JsonObject> ReadAsync(HttpContext context, string kind)
    {
        var body = await ResourceWrites.ReadJsonBodyAsync(context.Request, protobufKind: (GroupVersion, kind)) as JsonObject
            ?? throw new BadRequestException($"the request body must be an {GroupVersion} {kind} object");
        if ((string?)body["kind"] is { } sent && sent != kind)
            throw new BadRequestException($"the body is a {sent}, but {context.Request.Path} takes an {GroupVersion} {kind}");
        body["kind"] = kind;
        body["apiVersion"] = GroupVersion;
        body["metadata"] ??= new JsonObject { ["creationTimestamp"] = null };
        return body;
    }

    internal static Task WriteAsync(HttpContext context, JsonObject body)
    {
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.ContentType = "application/json";
        // Not GranaryJson.Options: it drops nulls, and kube writes "creationTimestamp": null in a review's metadata.
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static JsonArray Strings(IEnumerable<string> values) => [.. values.Select(v => (JsonNode)v)];

    private static InvalidException Invalid(string kind, FieldError error) => new($"{kind}.authorization.k8s.io", "", [error]);
}
