using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Silo.Api;

/// <summary>
/// The scale subresource of Deployments, ReplicaSets and StatefulSets as an autoscaling/v1 Scale: get, update (PUT) and patch
/// (what <c>kubectl scale</c> sends: a merge patch of spec.replicas). A write changes only the object's spec.replicas,
/// through its grain, at the version it was read at; a concurrent write is retried unless the request named a version.
/// </summary>
internal static class ScaleSubresource
{
    private const int WriteAttempts = 4;

    public static async Task<JsonObject> HandleAsync(HttpContext context, IGrainFactory grains, ResourcePath path, string verb)
    {
        var kind = path.Resource.Kind;
        var key = kind.KeyOf(path.Namespace, path.Name!);
        if (verb == "get")
            return Scale(await ReadAsync(grains, kind, key));

        ResourceWrites.RejectDryRun(context.Request);
        JsonNode? body;
        string? mediaType = null;
        if (verb == "patch")
        {
            mediaType = ResourceWrites.MediaType(context.Request);
            if (mediaType is not (ResourceWrites.MergePatch or ResourceWrites.StrategicMergePatch or ResourceWrites.JsonPatch))
                throw new UnsupportedMediaTypeException(context.Request.ContentType);
            body = await ResourceWrites.ReadJsonBodyAsync(context.Request, mediaTypes: [mediaType]);
        }
        else
        {
            body = await ResourceWrites.ReadJsonBodyAsync(context.Request, protobufKind: ("autoscaling/v1", "Scale")) as JsonObject
                ?? throw new BadRequestException("the request body must be a JSON object (an autoscaling/v1 Scale)");
        }

        for (var attempt = 0; ; attempt++)
        {
            var current = await ReadAsync(grains, kind, key);
            var desired = mediaType switch
            {
                null => body!,
                ResourceWrites.JsonPatch => JsonPatches.Apply(Scale(current), body),
                _ => JsonPatches.Merge(Scale(current), body, strategic: mediaType == ResourceWrites.StrategicMergePatch),
            } as JsonObject ?? throw new PatchFailedException("the patched Scale is not a JSON object");
            var replicas = Replicas(desired, path.Name!);
            var version = (string?)desired["metadata"]?["resourceVersion"];
            var namesVersion = mediaType is null ? !string.IsNullOrEmpty(version) : ResourceWrites.NamesResourceVersion(body);
            if (namesVersion && version != current.Metadata.ResourceVersion)
                throw new ConflictException(kind.Plural, path.Name!, "the object has been modified; please apply your changes to the latest version and try again");
            try
            {
                var updated = current.WithReplicas(replicas);
                return Scale((IScalable)await ResourceGrains.UpdateAsync(grains, kind, key, updated));
            }
            catch (ConflictException) when (attempt < WriteAttempts && !namesVersion)
            {
                // Someone wrote in between: scale the newer version.
            }
        }
    }

    private static async Task<IScalable> ReadAsync(IGrainFactory grains, ResourceKind kind, string key) =>
        await ResourceGrains.GetAsync(grains, kind, key) as IScalable
        ?? throw new NotFoundException(kind.Plural, key);

    /// <summary>The object's Scale, as kube-apiserver answers it.</summary>
    public static JsonObject Scale(IScalable resource)
    {
        var meta = resource.Metadata;
        var metadata = new JsonObject { ["name"] = meta.Name, ["namespace"] = meta.Namespace, ["uid"] = meta.Uid, ["resourceVersion"] = meta.ResourceVersion };
        if (meta.CreationTimestamp is { } created)
            metadata["creationTimestamp"] = created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["replicas"] = resource.DesiredReplicas },
            ["status"] = new JsonObject
            {
                ["replicas"] = resource.ObservedReplicas,
                ["selector"] = resource.PodSelector?.ToSelector().ToString() ?? "",
            },
        };
    }

    private static int Replicas(JsonObject scale, string name)
    {
        var node = scale["spec"]?["replicas"];
        if (node is null)
            return 0;
        if (node.GetValueKind() != JsonValueKind.Number || !int.TryParse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var replicas))
            throw new BadRequestException($"Scale in version \"v1\" cannot be handled as a Scale: spec.replicas: must be an integer, not {node.ToJsonString()}");
        if (replicas < 0)
            throw new InvalidException("Scale", name, [new FieldError("spec.replicas", "Invalid value", $"{replicas}: must be greater than or equal to 0")]);
        return replicas;
    }
}
