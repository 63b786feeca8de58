using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Silo.Api;

/// <summary>
/// <c>POST serviceaccounts/{name}/token</c>: kube-apiserver's TokenRequest subresource, what <c>kubectl create token</c>
/// sends. The body is an authentication.k8s.io/v1 TokenRequest (JSON, or protobuf as kubectl sends it) (spec.audiences, spec.expirationSeconds,
/// spec.boundObjectRef); the issuer grain checks and signs; the answer (201) is the request with the spec as granted
/// and status.token and status.expirationTimestamp.
/// </summary>
internal static class ServiceAccountTokenRequest
{
    public const string ApiVersion = "authentication.k8s.io/v1";
    public const string Kind = "TokenRequest";

    public static async Task HandleAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.MethodNotAllowed(context.Request.Method));
            return;
        }
        if (ResourceWrites.IsDryRun(context.Request))
            throw new BadRequestException("dryRun is not supported on the serviceaccounts/token subresource: a token is issued or not");
        var body = await ResourceWrites.ReadJsonBodyAsync(context.Request, protobufKind: (null, Kind)) as JsonObject
            ?? throw new BadRequestException($"the request body must be an {ApiVersion} TokenRequest object");
        var spec = Read(body, path.Name!);
        var issued = await grains.GetGrain<IServiceAccountTokenGrain>(IServiceAccountTokenGrain.Key).RequestAsync(path.Namespace!, path.Name!, spec);
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Answer(path, issued, DateTimeOffset.UtcNow).ToJsonString(), context.RequestAborted);
    }

    /// <summary>The spec of a TokenRequest body; a malformed field is a 400 naming it.</summary>
    public static TokenRequestSpec Read(JsonObject body, string serviceAccountName)
    {
        var kind = String(body, "kind", "kind");
        var apiVersion = String(body, "apiVersion", "apiVersion");
        if (kind is not (null or Kind) || apiVersion is not (null or ApiVersion or "authentication.k8s.io/v1beta1"))
            throw new BadRequestException($"not a TokenRequest object: {apiVersion}, Kind={kind}: send an {ApiVersion} TokenRequest");
        if (body["metadata"] is JsonObject metadata && String(metadata, "name", "metadata.name") is { Length: > 0 } name && name != serviceAccountName)
            throw new BadRequestException($"metadata.name \"{name}\" must be empty or the ServiceAccount's name \"{serviceAccountName}\"");
        var spec = body["spec"] switch
        {
            null => new JsonObject(),
            JsonObject o => o,
            _ => throw new BadRequestException("spec: must be an object"),
        };
        var audiences = spec["audiences"] switch
        {
            null => ImmutableList<string>.Empty,
            JsonArray array => [.. array.Select((a, i) => a is JsonValue v && v.TryGetValue<string>(out var s)
                ? s : throw new BadRequestException($"spec.audiences[{i}]: must be a string"))],
            _ => throw new BadRequestException("spec.audiences: must be an array of strings"),
        };
        long? seconds = spec["expirationSeconds"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) => n,
            _ => throw new BadRequestException("spec.expirationSeconds: must be a whole number of seconds"),
        };
        BoundObjectReference? bound = spec["boundObjectRef"] switch
        {
            null => null,
            JsonObject o => new BoundObjectReference
            {
                Kind = String(o, "kind", "spec.boundObjectRef.kind"),
                ApiVersion = String(o, "apiVersion", "spec.boundObjectRef.apiVersion"),
                Name = String(o, "name", "spec.boundObjectRef.name"),
                Uid = String(o, "uid", "spec.boundObjectRef.uid"),
            },
            _ => throw new BadRequestException("spec.boundObjectRef: must be an object"),
        };
        return new TokenRequestSpec { Audiences = audiences, ExpirationSeconds = seconds, BoundObjectRef = bound };
    }

    public static JsonObject Answer(ResourcePath path, IssuedToken issued, DateTimeOffset now)
    {
        var spec = new JsonObject
        {
            ["audiences"] = new JsonArray([.. issued.Spec.Audiences.Select(a => (JsonNode)JsonValue.Create(a))]),
            ["expirationSeconds"] = issued.Spec.ExpirationSeconds,
            ["boundObjectRef"] = issued.Spec.BoundObjectRef is { } bound
                ? new JsonObject { ["kind"] = bound.Kind, ["apiVersion"] = bound.ApiVersion, ["name"] = bound.Name, ["uid"] = bound.Uid }
                : null,
        };
        return new JsonObject
        {
            ["kind"] = Kind,
            ["apiVersion"] = ApiVersion,
            ["metadata"] = new JsonObject
            {
                ["name"] = path.Name,
                ["namespace"] = path.Namespace,
                ["creationTimestamp"] = Timestamp(now),
            },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["token"] = issued.Token,
                ["expirationTimestamp"] = Timestamp(issued.ExpirationTimestamp),
            },
        };
    }

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? String(JsonObject o, string name, string field) => o[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw new BadRequestException($"{field}: must be a string"),
    };
}
