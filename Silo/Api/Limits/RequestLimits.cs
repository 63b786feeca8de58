using System.Text;
using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Serialization;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Api.Limits;

/// <summary>
/// The API's limits wired into the host: Kestrel's body limit from --max-request-body-bytes, the in-flight caps in
/// the pipeline after authentication, and the size of what is stored.
/// </summary>
internal static class RequestLimits
{
    /// <summary>The seconds a client refused by an in-flight cap is told to wait (kube-apiserver says 1).</summary>
    public const int TooManyRequestsRetryAfterSeconds = 1;

    /// <summary>The request line and the headers, each: Go's http.DefaultMaxHeaderBytes, which kube-apiserver serves with.</summary>
    public const int MaxRequestHeaderBytes = 1 << 20;

    public static ApiLimitOptions Read(IConfiguration configuration) =>
        configuration.GetSection(ApiLimitOptions.Section).Get<ApiLimitOptions>() ?? new ApiLimitOptions();

    public static void AddApiLimits(this WebApplicationBuilder builder)
    {
        var limits = Read(builder.Configuration);
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(limits));
        builder.Services.AddSingleton(new InFlightLimiter(limits));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            // kube-apiserver's Go server reads a request line and headers of up to 1 MiB (http.DefaultMaxHeaderBytes),
            // so a long selector in the URL gets a 400 Status naming it; Kestrel's 8 KiB line limit refused it before the
            // API saw it, closing a connection the client was still writing to, which the client saw as a reset.
            kestrel.Limits.MaxRequestLineSize = MaxRequestHeaderBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = MaxRequestHeaderBytes;
        });
    }

    /// <summary>The in-flight caps; after authentication, which names the user they count against.</summary>
    public static void UseApiLimits(this IApplicationBuilder app)
    {
        var limiter = app.ApplicationServices.GetRequiredService<InFlightLimiter>();
        app.Use((context, next) => LimitAsync(context, next, limiter));
    }

    private static async Task LimitAsync(HttpContext context, Func<Task> next, InFlightLimiter limiter)
    {
        if (RequestKinds.IsLongRunning(context.Request))
        {
            await next();
            return;
        }
        var (user, isMaster) = RequestIdentity.Of(context);
        using var slot = limiter.TryEnter(user, isMaster, RequestKinds.IsMutating(context.Request), out var refusal);
        if (slot is null)
        {
            await ApiStatus.WriteAsync(context, ApiStatus.TooManyRequests(refusal, TooManyRequestsRetryAfterSeconds));
            return;
        }
        await next();
    }

    /// <summary>Kestrel's refusal of a request while its body was read, as kube-apiserver's Status.</summary>
    public static JsonObject FromBadRequest(HttpContext context, BadHttpRequestException e) => e.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => ApiStatus.RequestEntityTooLarge(
            $"limit is {Options(context).MaxRequestBodyBytes}: the request body is larger than the API accepts (--max-request-body-bytes)"),
        StatusCodes.Status408RequestTimeout => ApiStatus.Failure(StatusCodes.Status408RequestTimeout, "Timeout",
            "the request body arrived too slowly: send it at a steady rate, or in one piece"),
        _ => ApiStatus.Failure(StatusCodes.Status400BadRequest, "BadRequest", $"the request is malformed: {e.Message}"),
    };

    private static ApiLimitOptions Options(HttpContext context) =>
        context.RequestServices.GetService<IOptions<ApiLimitOptions>>()?.Value ?? new ApiLimitOptions();

    /// <summary>
    /// An object larger than <see cref="ApiLimitOptions.MaxObjectSizeBytes"/> as JSON is refused before it is stored,
    /// as etcd refuses one larger than its request limit: 413, naming both sizes.
    /// </summary>
    public static void CheckObjectSize(HttpContext context, ResourceKind kind, JsonObject body)
    {
        var limit = Options(context).MaxObjectSizeBytes;
        string json;
        try
        {
            json = body.ToJsonString(GranaryJson.Options);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json reads "\ud800" without its pair but cannot write it back; Go would have replaced it.
            throw new Errors.BadRequestException("the request body is not valid JSON: a string holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff); send UTF-8 text");
        }
        var size = Encoding.UTF8.GetByteCount(json);
        if (size > limit)
            throw new RequestTooLargeException($"limit is {limit}: the {kind.Kind} would be {size} bytes as stored, larger than one object may be (ApiLimits:MaxObjectSizeBytes)");
    }
}

/// <summary>A request or object too large to accept: 413 RequestEntityTooLarge with this detail.</summary>
internal sealed class RequestTooLargeException(string detail) : Exception(detail);
