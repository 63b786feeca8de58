using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;

namespace Granary.Silo.Api;

/// <summary>
/// <c>POST pods/{name}/eviction</c>: what <c>kubectl drain</c> sends for each pod, as to kube-apiserver. The body is a
/// policy/v1 (or v1beta1) Eviction, JSON or protobuf (<c>{"metadata":{"name":"web-1"},"deleteOptions":{…}}</c>); the
/// eviction grain decides and deletes. The answer is a Success Status with code 201, or the grain's refusal: 429
/// TooManyRequests when the pod's disruption budget allows no disruption now (drain waits and retries).
/// </summary>
internal static class PodEviction
{
    private static readonly string[] Versions = ["policy/v1", "policy/v1beta1"];

    public static async Task HandleAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.MethodNotAllowed(context.Request.Method));
            return;
        }
        var body = await ResourceWrites.ReadJsonBodyAsync(context.Request, protobufKind: (null, "Eviction")) as JsonObject
            ?? throw new BadRequestException("the request body must be a policy/v1 Eviction object");
        var kind = (string?)body["kind"];
        var apiVersion = (string?)body["apiVersion"];
        if (kind is not (null or "Eviction") || apiVersion is not null && !Versions.Contains(apiVersion))
            throw new BadRequestException($"not a Eviction object: {apiVersion}, Kind={kind}: send a policy/v1 Eviction");
        if ((string?)body["metadata"]?["name"] != path.Name)
            throw new BadRequestException("name in URL does not match name in Eviction object");

        var dryRun = ResourceWrites.IsDryRun(context.Request);
        var options = DeleteOptions.Default;
        if (body["deleteOptions"] is JsonObject deleteOptions)
        {
            options = DeleteOptionsReader.Read(deleteOptions, out var optionsDryRun);
            dryRun |= optionsDryRun;
        }
        await grains.GetGrain<IEvictionGrain>(0).EvictAsync(path.Namespace!, path.Name!, options, dryRun);
        await ApiStatus.WriteAsync(context, ApiStatus.Success(StatusCodes.Status201Created));
    }
}
