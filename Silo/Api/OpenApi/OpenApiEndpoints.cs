namespace Granary.Silo.Api.OpenApi;

/// <summary>
/// GET /openapi/v3 and /openapi/v3/{group version}. kubectl create, apply and replace fetch these before
/// they send anything (with default validation) and abort when they are missing. /openapi/v2 is not served:
/// kubectl only probes it and falls back to its compiled-in types.
/// </summary>
internal static class OpenApiEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet(OpenApiDocuments.Prefix, (HttpContext context) =>
        {
            // The root names the current hashes, so it must never be served from a cache.
            context.Response.Headers.CacheControl = "no-cache, private";
            return Results.Content(OpenApiDocuments.Root, "application/json");
        });
        api.MapGet(OpenApiDocuments.Prefix + "/{**groupVersion}", (HttpContext context, string groupVersion) =>
        {
            if (OpenApiDocuments.Find(groupVersion) is not { } document)
                return ApiStatus.WriteAsync(context, ApiStatus.PathNotFound());
            // A URL with the current hash names this exact content: clients may keep it forever.
            context.Response.Headers.CacheControl = context.Request.Query["hash"] == document.Hash
                ? "public, immutable, max-age=31536000"
                : "no-cache, private";
            context.Response.Headers.ETag = $"\"{document.Hash}\"";
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(document.Json, context.RequestAborted);
        });
    }
}
