using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Silo.Api;

/// <summary>
/// <c>POST pods/{name}/binding</c>: what a custom scheduler sends to place a pod, as to kube-apiserver. The body is a
/// v1 Binding (<c>{"metadata":{"name":"web"},"target":{"kind":"Node","name":"n1"}}</c>); the pod grain binds it (the
/// same write as Granary's own scheduler) and the answer is a Success Status with code 201. A pod bound elsewhere or
/// being deleted is a 409 Conflict.
/// </summary>
internal static class PodBinding
{
    public static async Task HandleAsync(HttpContext context, IGrainFactory grains, ResourcePath path)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.MethodNotAllowed(context.Request.Method));
            return;
        }
        var body = await ResourceWrites.ReadJsonBodyAsync(context.Request, protobufKind: ("v1", "Binding")) as JsonObject
            ?? throw new BadRequestException("the request body must be a v1 Binding object");
        if ((string?)body["metadata"]?["name"] is { Length: > 0 } name && name != path.Name)
            throw new BadRequestException($"the name of the binding ({name}) does not match the pod on the URL ({path.Name})");
        var target = body["target"] as JsonObject;
        var node = (string?)target?["name"];
        if (string.IsNullOrEmpty(node))
            throw new InvalidException("Binding", path.Name!, [FieldError.Required("target.name")]);
        if ((string?)target!["kind"] is { Length: > 0 } kind && kind != "Node")
            throw new InvalidException("Binding", path.Name!, [FieldError.Unsupported("target.kind", kind, ["Node"])]);

        var pod = grains.GetGrain<IPodGrain>(ResourceKinds.Pod.KeyOf(path.Namespace, path.Name!));
        // A uid in the binding pins it to that pod (kube-apiserver's precondition); without one, to the pod as it is now.
        var uid = (string?)body["metadata"]?["uid"] is { Length: > 0 } given ? given : (await pod.GetAsync()).Metadata.Uid!;
        await pod.BindAsync(node, uid);

        await ApiStatus.WriteAsync(context, ApiStatus.Success(StatusCodes.Status201Created));
    }
}
