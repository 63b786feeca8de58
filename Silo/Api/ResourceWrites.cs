using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Silo.Api;

/// <summary>
/// Create (POST to a collection) and delete (DELETE of an object), as kubectl create -f and kubectl delete send
/// them. Every rule about the object (validation, uid, resourceVersion, graceful deletion) is its grain's; this
/// only reads the request and answers like kube-apiserver.
/// </summary>
internal static class ResourceWrites
{
    private const int GenerateNameAttempts = 8;
    private const int PatchAttempts = 4;
    internal const string MergePatch = "application/merge-patch+json";
    internal const string StrategicMergePatch = "application/strategic-merge-patch+json";
    internal const string JsonPatch = "application/json-patch+json";
    private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static async Task<IResource> CreateAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        RejectDryRun(context.Request);
        var kind = path.Resource.Kind;
        var body = await ReadJsonBodyAsync(context.Request) as JsonObject
            ?? throw new BadRequestException("the request body must be a JSON object");
        body["kind"] ??= kind.Kind;
        body["apiVersion"] ??= kind.ApiVersion;
        if ((string?)body["kind"] != kind.Kind || (string?)body["apiVersion"] != kind.ApiVersion)
            throw new BadRequestException($"the API version in the data ({(string?)body["apiVersion"]}) or its kind ({(string?)body["kind"]}) does not match the expected {kind.ApiVersion}, Kind={kind.Kind}");
        var resource = Deserialize(body, kind);
        var meta = resource.Metadata;
        if (kind.Namespaced)
        {
            if (!string.IsNullOrEmpty(meta.Namespace) && meta.Namespace != path.Namespace)
                throw new BadRequestException("the namespace of the provided object does not match the namespace sent on the request");
            resource = resource.WithMetadata(meta with { Namespace = path.Namespace });
        }
        if (!string.IsNullOrEmpty(resource.Metadata.Name) || string.IsNullOrEmpty(resource.Metadata.GenerateName))
            return await ResourceGrains.CreateAsync(grains, kind, resource);
        for (var attempt = 0; ; attempt++)
        {
            var named = resource.WithMetadata(resource.Metadata with { Name = resource.Metadata.GenerateName + Suffix() });
            try
            {
                return await ResourceGrains.CreateAsync(grains, kind, named);
            }
            catch (AlreadyExistsException) when (attempt < GenerateNameAttempts)
            {
                // Another object took this name: draw again, as kube-apiserver does.
            }
        }
    }

    public static async Task<IResource> DeleteAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        RejectDryRun(context.Request);
        var options = DeleteOptions.Default;
        if (await ReadJsonBodyAsync(context.Request, optional: true) is JsonObject body)
        {
            options = new DeleteOptions
            {
                GracePeriodSeconds = Long(body["gracePeriodSeconds"], "gracePeriodSeconds"),
                PreconditionUid = (string?)body["preconditions"]?["uid"],
                PreconditionResourceVersion = (string?)body["preconditions"]?["resourceVersion"],
                PropagationPolicy = PropagationPolicy(body),
            };
        }
        if (context.Request.Query["gracePeriodSeconds"].ToString() is { Length: > 0 } grace)
            options = options with { GracePeriodSeconds = Long(JsonValue.Create(grace), "gracePeriodSeconds") };
        if (context.Request.Query["propagationPolicy"].ToString() is { Length: > 0 } policy)
            options = options with { PropagationPolicy = CheckedPolicy(policy) };
        var kind = path.Resource.Kind;
        return await ResourceGrains.DeleteAsync(grains, kind, kind.KeyOf(path.Namespace, path.Name!), options);
    }

    /// <summary>PUT of an object (or of its status): the body replaces it; a stale metadata.resourceVersion is a Conflict.</summary>
    public static async Task<IResource> ReplaceAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        RejectDryRun(context.Request);
        var body = await ReadJsonBodyAsync(context.Request) as JsonObject
            ?? throw new BadRequestException("the request body must be a JSON object");
        return await UpdateAsync(grains, path, body);
    }

    /// <summary>
    /// PATCH of an object (or of its status): the patch is applied to the current object's JSON and the result
    /// written at the version it was read at. When the patch names no resourceVersion, a concurrent write is
    /// retried a few times, as kube-apiserver does; otherwise it is a Conflict.
    /// </summary>
    public static async Task<IResource> PatchAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        RejectDryRun(context.Request);
        var mediaType = MediaType(context.Request);
        if (mediaType is not (MergePatch or StrategicMergePatch or JsonPatch))
            throw new UnsupportedMediaTypeException(context.Request.ContentType);
        var patch = await ReadJsonBodyAsync(context.Request, mediaTypes: [mediaType]);
        var kind = path.Resource.Kind;
        var key = kind.KeyOf(path.Namespace, path.Name!);
        for (var attempt = 0; ; attempt++)
        {
            var current = ResourceJson.Object(await ResourceGrains.GetAsync(grains, kind, key));
            var patched = mediaType switch
            {
                JsonPatch => JsonPatches.Apply(current, patch),
                _ => JsonPatches.Merge(current, patch, strategic: mediaType == StrategicMergePatch),
            } as JsonObject ?? throw new PatchFailedException("the patched object is not a JSON object");
            try
            {
                return await UpdateAsync(grains, path, patched);
            }
            catch (ConflictException) when (attempt < PatchAttempts && !NamesResourceVersion(patch))
            {
                // Someone wrote in between: patch the newer version.
            }
        }
    }

    internal static bool NamesResourceVersion(JsonNode? patch) =>
        patch is JsonArray ? patch.ToJsonString().Contains("/metadata/resourceVersion", StringComparison.Ordinal)
            : patch?["metadata"]?["resourceVersion"] is not null;

    private static async Task<IResource> UpdateAsync(IGrainFactory grains, ResourcePath path, JsonObject body)
    {
        var kind = path.Resource.Kind;
        body["kind"] ??= kind.Kind;
        body["apiVersion"] ??= kind.ApiVersion;
        if ((string?)body["kind"] != kind.Kind || (string?)body["apiVersion"] != kind.ApiVersion)
            throw new BadRequestException($"the API version in the data ({(string?)body["apiVersion"]}) or its kind ({(string?)body["kind"]}) does not match the expected {kind.ApiVersion}, Kind={kind.Kind}");
        var resource = Deserialize(body, kind);
        var meta = resource.Metadata;
        if (string.IsNullOrEmpty(meta.Name) || meta.Name != path.Name)
            throw new BadRequestException($"the name of the object ({meta.Name}) does not match the name on the URL ({path.Name})");
        if (kind.Namespaced)
        {
            if (!string.IsNullOrEmpty(meta.Namespace) && meta.Namespace != path.Namespace)
                throw new BadRequestException("the namespace of the provided object does not match the namespace sent on the request");
            resource = resource.WithMetadata(meta with { Namespace = path.Namespace });
        }
        return await ResourceGrains.UpdateAsync(grains, kind, kind.KeyOf(path.Namespace, path.Name!), resource,
            status: path.Resource.IsStatus);
    }

    private static IResource Deserialize(JsonObject body, ResourceKind kind)
    {
        try
        {
            return (IResource)(body.Deserialize(GranaryJson.TypeOf(kind), GranaryJson.Options)
                ?? throw new BadRequestException("the request body is empty (null)"));
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"{kind.Kind} in version \"{kind.ApiVersion}\" cannot be handled as a {kind.Kind}: {GranaryJson.Describe(e)}");
        }
    }

    /// <summary>The JSON body; other media types are 415 (kubectl's typed clients send protobuf, which is not read).</summary>
    internal static async Task<JsonNode?> ReadJsonBodyAsync(HttpRequest request, bool optional = false, string[]? mediaTypes = null)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        if (optional && string.IsNullOrWhiteSpace(text))
            return null;
        if (!(mediaTypes ?? ["application/json"]).Contains(MediaType(request)))
            throw new UnsupportedMediaTypeException(request.ContentType);
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"the request body is not valid JSON: {e.Message}");
        }
    }

    internal static string? MediaType(HttpRequest request) => request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();

    internal static void RejectDryRun(HttpRequest request)
    {
        if (request.Query["dryRun"].Count > 0)
            throw new BadRequestException("dryRun is not supported by this server");
    }

    /// <summary>propagationPolicy, or the older orphanDependents (true means Orphan, false Background).</summary>
    private static string? PropagationPolicy(JsonObject body)
    {
        if (body["propagationPolicy"] is { } policy)
        {
            if (body["orphanDependents"] is not null)
                throw new InvalidException("DeleteOptions", "", [FieldError.Invalid("propagationPolicy", (string?)policy, "orphanDependents and deletionPropagation cannot be both set")]);
            return CheckedPolicy((string?)policy);
        }
        return body["orphanDependents"] is { } orphan
            ? orphan.GetValueKind() == JsonValueKind.True ? PropagationPolicies.Orphan : PropagationPolicies.Background
            : null;
    }

    private static string? CheckedPolicy(string? policy) =>
        policy is null || PropagationPolicies.All.Contains(policy) ? policy
            : throw new InvalidException("DeleteOptions", "", [FieldError.Unsupported("propagationPolicy", policy, PropagationPolicies.All)]);

    private static long? Long(JsonNode? node, string name)
    {
        if (node is null)
            return null;
        try
        {
            return node.GetValueKind() == JsonValueKind.String
                ? long.Parse(node.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
                : node.GetValue<long>();
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidOperationException)
        {
            throw new BadRequestException($"{name} must be an integer");
        }
    }

    private static string Suffix() => string.Create(5, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
            span[i] = SuffixAlphabet[Random.Shared.Next(SuffixAlphabet.Length)];
    });
}
