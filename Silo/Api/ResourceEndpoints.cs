using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Silo.Api.Protobuf;

namespace Granary.Silo.Api;

/// <summary>
/// Every served kind under /api/v1 or /apis/{group}/{version}: get, list (with selectors and paging) and watch, as JSON or as
/// Tables; create, update (PUT) and patch (merge, JSON and strategic merge); delete; pod logs and exec. Lists and watches come from the silo's watch cache through the
/// ListWatchGrain; gets and writes from the owning grain. Methods not served answer 405 with a Status.
/// </summary>
internal static class ResourceEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.Map("/api/v1/{**rest}", (HttpContext context, string rest, IGrainFactory grains, TimeProvider time, IHostApplicationLifetime lifetime) =>
            HandleAsync(context, "v1", rest, grains, time, lifetime));
        api.Map("/apis/{group}/{version}/{**rest}", (HttpContext context, string group, string version, string rest, IGrainFactory grains, TimeProvider time, IHostApplicationLifetime lifetime) =>
            HandleAsync(context, $"{group}/{version}", rest, grains, time, lifetime));
    }

    private static async Task HandleAsync(HttpContext context, string groupVersion, string rest, IGrainFactory grains, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        if (ResourcePath.Parse(groupVersion, rest) is not { } path)
        {
            await ApiStatus.WriteAsync(context, ApiStatus.PathNotFound());
            return;
        }
        if (ProtobufBodies.AcceptsOnlyProtobuf(context.Request) && path.Resource.Name is not ("pods/log" or "pods/exec" or "pods/attach" or "pods/portforward"))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.Failure(StatusCodes.Status406NotAcceptable, "NotAcceptable",
                $"only the following media types are accepted: application/json, application/yaml, {ProtobufBodies.MediaType} (as a request body only): send Accept: application/json"));
            return;
        }
        // An exec or attach is an upgrade (GET or POST), not a read: it has its own endpoint.
        if (path.Resource.Name is "pods/exec" or "pods/attach")
        {
            await PodExec.HandleAsync(context, grains, path);
            return;
        }
        if (path.Resource.Name == "pods/portforward")
        {
            await PodPortForward.HandleAsync(context, grains, path);
            return;
        }
        // A binding is a POST to an object's subresource, which the verb table below has no room for.
        if (path.Resource.Name == "pods/binding")
        {
            await PodBinding.HandleAsync(context, grains, path);
            return;
        }
        if (path.Resource.Name == "pods/eviction")
        {
            await PodEviction.HandleAsync(context, grains, path);
            return;
        }
        if (path.Resource.Name == "serviceaccounts/token")
        {
            await ServiceAccountTokenRequest.HandleAsync(context, grains, path);
            return;
        }
        var method = context.Request.Method;
        var query = HttpMethods.IsGet(method) ? ApiQuery.From(context.Request) : null;
        var verb = method switch
        {
            _ when query is not null => path.IsCollection ? query.Watch ? "watch" : "list" : "get",
            _ when HttpMethods.IsPost(method) && path.IsCollection => "create",
            _ when HttpMethods.IsDelete(method) && !path.IsCollection => "delete",
            _ when HttpMethods.IsPut(method) && !path.IsCollection => "update",
            _ when HttpMethods.IsPatch(method) && !path.IsCollection => "patch",
            _ => null,
        };
        if (verb is null || !path.Resource.Serves(verb))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.MethodNotAllowed(method));
            return;
        }

        if (path.Resource.IsScale)
        {
            await WriteAsync(context, await ScaleSubresource.HandleAsync(context, grains, path, verb));
            return;
        }
        switch (verb)
        {
            case "create":
                var created = await ResourceWrites.CreateAsync(context, grains, path);
                context.Response.StatusCode = StatusCodes.Status201Created;
                await WriteAsync(context, ResourceJson.Object(created));
                return;
            case "delete":
                await WriteAsync(context, ResourceJson.Object(await ResourceWrites.DeleteAsync(context, grains, path)));
                return;
            case "update":
                await WriteAsync(context, ResourceJson.Object(await ResourceWrites.ReplaceAsync(context, grains, path)));
                return;
            case "patch":
                var patched = await ResourceWrites.PatchAsync(context, grains, path);
                if (patched.Created)
                    context.Response.StatusCode = StatusCodes.Status201Created;
                await WriteAsync(context, ResourceJson.Object(patched.Object));
                return;
            case "get" when path.Resource.Name == "pods/log":
                await PodLogs.WriteAsync(context, grains, time, path);
                return;
        }
        await ReadAsync(context, path, verb, query!, grains, time, lifetime);
    }

    private static async Task ReadAsync(HttpContext context, ResourcePath path, string verb, ApiQuery query, IGrainFactory grains, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        var kind = path.Resource.Kind;
        switch (verb)
        {
            case "get":
                var item = await ResourceGrains.GetAsync(grains, kind, kind.KeyOf(path.Namespace, path.Name!));
                await WriteAsync(context, query.AsTable
                    ? ResourceTables.Table(kind, [item], item.Metadata.ResourceVersion, null, query.Include, time.GetUtcNow())
                    : ResourceJson.Object(item));
                break;
            case "list":
                var list = await grains.GetGrain<IListWatchGrain>(0).ListAsync(new ListRequest
                {
                    Kind = kind,
                    Namespace = path.Namespace,
                    LabelSelector = query.LabelSelector,
                    FieldSelector = query.FieldSelector,
                    Limit = query.Limit,
                    Continue = query.Continue,
                });
                await WriteAsync(context, query.AsTable
                    ? ResourceTables.Table(kind, list.Items, list.ResourceVersion, list.Continue, query.Include, time.GetUtcNow())
                    : ResourceJson.List(kind, list.Items, list.ResourceVersion, list.Continue));
                break;
            default:
                await new WatchStream(context, grains, time, lifetime, kind, path.Namespace, query).RunAsync();
                break;
        }
    }

    private static Task WriteAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(Serialization.GranaryJson.Options), context.RequestAborted);
    }
}
