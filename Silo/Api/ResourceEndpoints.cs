using System.Text.Json.Nodes;
using Granary.Api;

namespace Granary.Silo.Api;

/// <summary>
/// Reads of pods, nodes and namespaces under /api/v1: get, list (with selectors and paging) and watch, as JSON
/// or as Tables. Lists and watches come from the silo's watch cache through the ListWatchGrain; gets from the
/// owning grain. Methods not served yet answer 405 with a Status, never a pretend success.
/// </summary>
internal static class ResourceEndpoints
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.Map("/api/v1/{**rest}", (HttpContext context, string rest, IGrainFactory grains, TimeProvider time, IHostApplicationLifetime lifetime) =>
            HandleAsync(context, rest, grains, time, lifetime));

    private static async Task HandleAsync(HttpContext context, string rest, IGrainFactory grains, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        if (ResourcePath.Parse(rest) is not { } path)
        {
            await ApiStatus.WriteAsync(context, ApiStatus.PathNotFound());
            return;
        }
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.MethodNotAllowed(method));
            return;
        }
        var query = ApiQuery.From(context.Request);
        var verb = path.IsCollection ? query.Watch ? "watch" : "list" : "get";
        if (!path.Resource.Serves(verb))
        {
            await ApiStatus.WriteAsync(context, ApiStatus.MethodNotAllowed(method));
            return;
        }

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
