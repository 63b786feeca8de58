using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Security.Rbac;
using Granary.Model;
using Granary.Serialization;
using Granary.Silo.Api.Protobuf;
using Granary.Silo.Security;

namespace Granary.Silo.Api;

/// <summary>What a write returns, and whether it created the object (201) rather than changed it (200).</summary>
internal sealed record WriteResult(IResource Object, bool Created);

/// <summary>
/// Create (POST), replace (PUT), patch (PATCH, including server-side apply) and delete, as kubectl sends them.
/// Bodies are checked for unknown fields by the request's fieldValidation (<see cref="FieldValidation"/>). Every rule about the object (validation, uid, resourceVersion, graceful deletion) is its grain's; this
/// only reads the request and answers like kube-apiserver.
/// </summary>
internal static class ResourceWrites
{
    private const int GenerateNameAttempts = 8;
    private const int PatchAttempts = 4;
    internal const string MergePatch = "application/merge-patch+json";
    internal const string StrategicMergePatch = "application/strategic-merge-patch+json";
    internal const string JsonPatch = "application/json-patch+json";
    internal const string ApplyPatch = "application/apply-patch+yaml";
    private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static async Task<IResource> CreateAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        var dryRun = IsDryRun(context.Request);
        var body = await ReadObjectAsync(context, path.Resource.Kind);
        Limits.RequestLimits.CheckObjectSize(context, path.Resource.Kind, body);
        return await CreateAsync(context, grains, path, body, dryRun);
    }

    private static async Task<IResource> CreateAsync(HttpContext context, IGrainFactory grains, ResourcePath path, JsonObject body, bool dryRun)
    {
        var kind = path.Resource.Kind;
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
        if (RbacEscalation.Guards(resource))
            await Escalation(context).CheckCreateAsync(context.RequestUser().Effective, resource, context.RequestAborted);
        if (dryRun)
        {
            if (string.IsNullOrEmpty(resource.Metadata.Name) && !string.IsNullOrEmpty(resource.Metadata.GenerateName))
                resource = resource.WithMetadata(resource.Metadata with { Name = resource.Metadata.GenerateName + Suffix() });
            var key = kind.KeyOf(resource.Metadata.Namespace, resource.Metadata.Name ?? "");
            return await ResourceGrains.DryRun(grains, kind, key).DryRunCreateAsync(resource);
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
        var dryRun = IsDryRun(context.Request);
        var options = DeleteOptions.Default;
        if (await ReadJsonBodyAsync(context.Request, optional: true, protobufKind: (null, "DeleteOptions")) is JsonObject body)
        {
            options = DeleteOptionsReader.Read(body, out var bodyDryRun);
            dryRun |= bodyDryRun;
        }
        if (context.Request.Query["gracePeriodSeconds"].ToString() is { Length: > 0 } grace)
            options = options with { GracePeriodSeconds = DeleteOptionsReader.Long(JsonValue.Create(grace), "gracePeriodSeconds") };
        if (context.Request.Query["propagationPolicy"].ToString() is { Length: > 0 } policy)
            options = options with { PropagationPolicy = DeleteOptionsReader.CheckedPolicy(policy) };
        var kind = path.Resource.Kind;
        var key = kind.KeyOf(path.Namespace, path.Name!);
        if (dryRun)
        {
            // The object as it is: a dry-run delete checks that it exists and its preconditions hold.
            var existing = await ResourceGrains.GetAsync(grains, kind, key);
            if (options.PreconditionUid is { } uid && uid != existing.Metadata.Uid
                || options.PreconditionResourceVersion is { } rv && rv != existing.Metadata.ResourceVersion)
                throw new ConflictException(kind.Plural, path.Name!, "Precondition failed: the object's uid or resourceVersion is not the one in the precondition");
            return existing;
        }
        return await ResourceGrains.DeleteAsync(grains, kind, key, options);
    }

    /// <summary>PUT of an object (or of its status): the body replaces it; a stale metadata.resourceVersion is a Conflict.</summary>
    public static async Task<IResource> ReplaceAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        var dryRun = IsDryRun(context.Request);
        var body = await ReadObjectAsync(context, path.Resource.Kind);
        Limits.RequestLimits.CheckObjectSize(context, path.Resource.Kind, body);
        return await UpdateAsync(context, grains, path, body, dryRun);
    }

    /// <summary>
    /// PATCH of an object (or of its status): the patch is applied to the current object's JSON and the result
    /// written at the version it was read at. When the patch names no resourceVersion, a concurrent write is
    /// retried a few times, as kube-apiserver does; otherwise it is a Conflict. Unknown fields are looked for in a
    /// merge patch itself, and in the result of a JSON patch. A server-side apply may create the object.
    /// </summary>
    public static async Task<WriteResult> PatchAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        var dryRun = IsDryRun(context.Request);
        var mediaType = MediaType(context.Request);
        if (mediaType == ApplyPatch && !path.Resource.IsSubresource)
            return await ApplyAsync(context, grains, path, dryRun);
        if (mediaType is not (MergePatch or StrategicMergePatch or JsonPatch))
            throw new UnsupportedMediaTypeException(context.Request.ContentType);
        var kind = path.Resource.Kind;
        var patch = mediaType == JsonPatch
            ? await ReadJsonBodyAsync(context.Request, mediaTypes: [mediaType])
            : await ReadObjectAsync(context, kind, mediaType, patchDirectives: mediaType == StrategicMergePatch);
        var key = kind.KeyOf(path.Namespace, path.Name!);
        for (var attempt = 0; ; attempt++)
        {
            var current = ResourceJson.Object(await ResourceGrains.GetAsync(grains, kind, key));
            var patched = mediaType switch
            {
                JsonPatch => JsonPatches.Apply(current, patch),
                _ => JsonPatches.Merge(current, patch, strategic: mediaType == StrategicMergePatch),
            } as JsonObject ?? throw new PatchFailedException("the patched object is not a JSON object");
            if (mediaType == JsonPatch && attempt == 0)
                FieldValidation.Check(context, kind, patched);
            Limits.RequestLimits.CheckObjectSize(context, kind, patched);
            try
            {
                return new WriteResult(await UpdateAsync(context, grains, path, patched, dryRun), Created: false);
            }
            catch (ConflictException) when (attempt < PatchAttempts && !NamesResourceVersion(patch))
            {
                // Someone wrote in between: patch the newer version.
            }
        }
    }

    /// <summary>
    /// Server-side apply: creates the object from the applied configuration when it does not exist, else merges
    /// the configuration into it (<see cref="ServerSideApply"/>). fieldManager is required, as in Kubernetes.
    /// </summary>
    private static async Task<WriteResult> ApplyAsync(HttpContext context, IGrainFactory grains, ResourcePath path, bool dryRun)
    {
        var query = context.Request.Query;
        var manager = query["fieldManager"].ToString();
        if (manager.Length == 0)
            throw ServerSideApply.MissingFieldManager();
        var force = query["force"].ToString() is "true" or "1" or "True";
        var kind = path.Resource.Kind;
        var applied = await ReadAppliedAsync(context, kind);
        if ((string?)applied["apiVersion"] is null || (string?)applied["kind"] is null)
            throw new BadRequestException("an applied configuration must set apiVersion and kind");
        if (applied["metadata"] is { } metadata && metadata is not JsonObject)
            throw new BadRequestException($"{kind.Kind} in version \"{kind.ApiVersion}\" cannot be handled as a {kind.Kind}: metadata: Invalid value: an object is expected, not {metadata.GetValueKind().ToString().ToLowerInvariant()}");
        if (applied["metadata"]?["managedFields"] is not null)
            throw new BadRequestException("metadata.managedFields must be nil in an applied configuration");
        var key = kind.KeyOf(path.Namespace, path.Name!);
        var now = WholeSeconds(context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        for (var attempt = 0; ; attempt++)
        {
            IResource? current;
            try
            {
                current = await ResourceGrains.GetAsync(grains, kind, key);
            }
            catch (NotFoundException)
            {
                current = null;
            }
            try
            {
                if (current is null)
                {
                    var created = ServerSideApply.Created(applied, manager, kind.ApiVersion, now);
                    Limits.RequestLimits.CheckObjectSize(context, kind, created);
                    if ((string?)created["metadata"]?["name"] != path.Name)
                        throw new BadRequestException($"the name of the object ({(string?)created["metadata"]?["name"]}) does not match the name on the URL ({path.Name})");
                    return new WriteResult(await CreateAsync(context, grains, path, created, dryRun), Created: true);
                }
                var merged = ServerSideApply.Apply(ResourceJson.Object(current), applied, manager, force, kind.ApiVersion, now);
                Limits.RequestLimits.CheckObjectSize(context, kind, merged);
                return new WriteResult(await UpdateAsync(context, grains, path, merged, dryRun), Created: false);
            }
            catch (GranaryException e) when (e is ConflictException or AlreadyExistsException or NotFoundException
                && attempt < PatchAttempts && !NamesResourceVersion(applied))
            {
                // Created, changed or deleted in between: apply to what is there now.
            }
        }
    }

    /// <summary>An applied configuration: YAML, or JSON (which kubectl sends), checked for unknown fields like any body.</summary>
    private static async Task<JsonObject> ReadAppliedAsync(HttpContext context, ResourceKind kind)
    {
        var text = await ReadTextAsync(context.Request);
        if (text.AsSpan().TrimStart().StartsWith("{"))
            return ParseObject(context, kind, text, patchDirectives: false);
        var json = Client.Manifests.YamlJson.Parse(text) as JsonObject
            ?? throw new BadRequestException("the applied configuration must be an object");
        FieldValidation.Check(context, kind, json);
        return json;
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    internal static bool NamesResourceVersion(JsonNode? patch) =>
        patch is JsonArray ? patch.ToJsonString().Contains("/metadata/resourceVersion", StringComparison.Ordinal)
            : patch?["metadata"]?["resourceVersion"] is not null;

    private static async Task<IResource> UpdateAsync(HttpContext context, IGrainFactory grains, ResourcePath path, JsonObject body, bool dryRun)
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
        var key = kind.KeyOf(path.Namespace, path.Name!);
        if (RbacEscalation.Guards(resource) && !path.Resource.IsSubresource)
            await Escalation(context).CheckUpdateAsync(context.RequestUser().Effective, resource, () => StoredAsync(grains, kind, key), context.RequestAborted);
        return dryRun
            ? await ResourceGrains.DryRun(grains, kind, key).DryRunUpdateAsync(resource, status: path.Resource.IsStatus)
            : await ResourceGrains.UpdateAsync(grains, kind, key, resource, status: path.Resource.IsStatus);
    }

    /// <summary>kube's RBAC storage: a Role or binding is written only by who holds what it grants (or may escalate or bind).</summary>
    private static RbacEscalation Escalation(HttpContext context) => context.RequestServices.GetRequiredService<RbacEscalation>();

    private static async Task<IResource?> StoredAsync(IGrainFactory grains, ResourceKind kind, string key)
    {
        try
        {
            return await ResourceGrains.GetAsync(grains, kind, key);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    private static IResource Deserialize(JsonObject body, ResourceKind kind)
    {
        GoNulls.Normalize(body);
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

    /// <summary>
    /// A JSON object body checked against the kind's fields by the request's fieldValidation: unknown or
    /// repeated fields fail it (Strict) or come back as warnings (Warn). A repeated field keeps its last value.
    /// </summary>
    /// A protobuf body (kubectl's typed clients) is decoded to the same JSON first, for create and replace.
    private static async Task<JsonObject> ReadObjectAsync(HttpContext context, ResourceKind kind, string mediaType = "application/json", bool patchDirectives = false)
    {
        var body = await ReadBytesAsync(context.Request);
        if (mediaType == "application/json" && ProtobufBodies.IsProtobuf(context.Request))
        {
            var decoded = ProtobufBodies.Decode(context, body, kind.ApiVersion, kind.Kind);
            FieldValidation.Check(context, kind, decoded);
            return decoded;
        }
        if (MediaType(context.Request) != mediaType)
            throw new UnsupportedMediaTypeException(context.Request.ContentType);
        return ParseObject(context, kind, Text(body), patchDirectives);
    }

    private static JsonObject ParseObject(HttpContext context, ResourceKind kind, string text, bool patchDirectives)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new BadRequestException("the request body must be a JSON object");
            FieldValidation.Check(context, kind, document.RootElement, patchDirectives);
            // A clone: the nodes keep referring to the element's document, which is disposed here.
            return (JsonObject)UnknownFields.ToNode(document.RootElement.Clone())!;
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"the request body is not valid JSON: {e.Message}");
        }
    }

    private static async Task<string> ReadTextAsync(HttpRequest request) => Text(await ReadBytesAsync(request));

    private static async Task<byte[]> ReadBytesAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }

    /// <summary>UTF-8 text, as StreamReader reads it (a byte order mark is skipped).</summary>
    private static string Text(byte[] body)
    {
        using var reader = new StreamReader(new MemoryStream(body));
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The JSON body; other media types are 415, except a protobuf body of <paramref name="protobufKind"/> (its
    /// apiVersion, or null for any), which is decoded to the same JSON (kubectl's typed clients send protobuf).
    /// </summary>
    internal static async Task<JsonNode?> ReadJsonBodyAsync(HttpRequest request, bool optional = false, string[]? mediaTypes = null, (string? ApiVersion, string Kind)? protobufKind = null)
    {
        var body = await ReadBytesAsync(request);
        if (protobufKind is var (apiVersion, kind) && ProtobufBodies.IsProtobuf(request))
            return optional && body.Length == 0 ? null : ProtobufBodies.Decode(request.HttpContext, body, apiVersion, kind);
        var text = Text(body);
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

    /// <summary>The scale subresource writes for real only: a dry run there is refused rather than silently done.</summary>
    internal static void RejectDryRun(HttpRequest request)
    {
        if (IsDryRun(request))
            throw new BadRequestException("dryRun is not supported on the scale subresource");
    }

    /// <summary>dryRun=All: validate and answer with the object as it would be, storing nothing.</summary>
    internal static bool IsDryRun(HttpRequest request) => request.Query["dryRun"].ToString() switch
    {
        "" => false,
        "All" => true,
        var other => throw new BadRequestException($"dryRun: Unsupported value: \"{other}\": supported values: \"All\""),
    };

    private static string Suffix() => string.Create(5, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
            span[i] = SuffixAlphabet[Random.Shared.Next(SuffixAlphabet.Length)];
    });
}
