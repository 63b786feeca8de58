using System.Text.Json.Nodes;
using Granary.Errors;
using Granary.Serialization;

namespace Granary.Silo.Api;

/// <summary>
/// Kubernetes Status objects: every failure of the API is one, with the HTTP code equal to <c>code</c>, so
/// kubectl prints <c>Error from server (Reason): message</c>. Built from the wire exceptions' kind, never their text.
/// </summary>
internal static class ApiStatus
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
            status["details"] = details;
        status["code"] = code;
        return status;
    }

    public static JsonObject From(GranaryException e) => e switch
    {
        NotFoundException n => Failure(e.Code, e.Reason, e.Message, Details(n.Name, n.Kind)),
        AlreadyExistsException a => Failure(e.Code, e.Reason, e.Message, Details(a.Name, a.Kind)),
        ConflictException c => Failure(e.Code, e.Reason, e.Message, Details(c.Name, c.Kind)),
        InvalidException i => Failure(e.Code, e.Reason, e.Message, Invalid(i)),
        TooManyRequestsException t => Failure(e.Code, e.Reason, e.Message, TooManyRequests(t)),
        InternalErrorException x => Failure(e.Code, e.Reason, e.Message, new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = x.Detail }) }),
        _ => Failure(e.Code, e.Reason, e.Message),
    };

    /// <summary>A server-side apply conflict: 409 Conflict with one FieldManagerConflict cause per field, as kube-apiserver.</summary>
    public static JsonObject ApplyConflict(ApplyConflictException e)
    {
        var causes = new JsonArray();
        foreach (var (manager, field) in e.Conflicts)
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with \"{manager}\"", ["field"] = field });
        return Failure(409, "Conflict", e.Message, new JsonObject { ["causes"] = causes });
    }

    /// <summary>The unknown path answer, worded as kube-apiserver does.</summary>
    public static JsonObject PathNotFound() =>
        Failure(404, "NotFound", "the server could not find the requested resource");

    public static JsonObject MethodNotAllowed(string method) =>
        Failure(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({method} is not served yet)");

    public static JsonObject Internal(string message) => Failure(500, "InternalError", message);

    /// <summary>
    /// A passing fault, worded as kube-apiserver's ServiceUnavailable ("the server is currently unable to handle the
    /// request") or Timeout Status, with retryAfterSeconds (so the Retry-After header) and the log's correlation id.
    /// </summary>
    public static JsonObject Transient(TransientFault fault, string correlation) => Failure(fault.Code, fault.Reason,
        fault.Code == StatusCodes.Status504GatewayTimeout
            ? $"Timeout: request did not complete within the allowed time: {fault.What}; retry it (correlation id {correlation})"
            : $"the server is currently unable to handle the request: {fault.What}; retry it in a moment (correlation id {correlation})",
        new JsonObject { ["retryAfterSeconds"] = TransientFaults.RetryAfterSeconds });

    /// <summary>kube-apiserver's 413: "Request entity too large: limit is 3145728".</summary>
    public static JsonObject RequestEntityTooLarge(string detail) =>
        Failure(StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge", $"Request entity too large: {detail}");

    /// <summary>kube-apiserver's 429 of its in-flight limits, with the Retry-After clients wait by.</summary>
    public static JsonObject TooManyRequests(string detail, int retryAfterSeconds) =>
        Failure(StatusCodes.Status429TooManyRequests, "TooManyRequests", $"Too many requests, please try again later. ({detail})",
            new JsonObject { ["retryAfterSeconds"] = retryAfterSeconds });

    /// <summary>What a POST to a subresource that creates nothing answers (binding, eviction): a Success Status with its code.</summary>
    public static JsonObject Success(int code) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["code"] = code,
    };

    public static Task WriteAsync(HttpContext context, JsonObject status)
    {
        context.Response.StatusCode = status["code"]!.GetValue<int>();
        // kube-apiserver turns details.retryAfterSeconds into the header clients wait by.
        if (status["details"]?["retryAfterSeconds"] is { } retryAfter)
            context.Response.Headers.RetryAfter = retryAfter.ToJsonString();
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(status.ToJsonString(GranaryJson.Options), context.RequestAborted);
    }

    private static JsonObject Details(string name, string kind) => new() { ["name"] = name, ["kind"] = kind };

    /// <summary>A 429's details: its causes, and retryAfterSeconds when positive (kube leaves a zero out).</summary>
    private static JsonObject TooManyRequests(TooManyRequestsException e)
    {
        var details = new JsonObject();
        if (e.Causes.Count > 0)
            details["causes"] = new JsonArray([.. e.Causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message })]);
        if (e.RetryAfterSeconds > 0)
            details["retryAfterSeconds"] = e.RetryAfterSeconds;
        return details;
    }

    /// <summary>For Invalid, details.kind is the Kind (not the plural): kubectl builds "The Pod "x" is invalid: …" from it.</summary>
    private static JsonObject Invalid(InvalidException e)
    {
        var causes = new JsonArray();
        foreach (var cause in e.Causes)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = CauseReason(cause.Type),
                ["message"] = cause.Detail.Length == 0 ? cause.Type : $"{cause.Type}: {cause.Detail}",
                ["field"] = cause.Field,
            });
        }
        var details = Details(e.Name, e.Kind);
        details["causes"] = causes;
        return details;
    }

    /// <summary>The CauseType names of k8s.io/apimachinery field errors, from the error types Granary's validation uses.</summary>
    private static string CauseReason(string type) => type switch
    {
        "Required value" => "FieldValueRequired",
        "Invalid value" => "FieldValueInvalid",
        "Duplicate value" => "FieldValueDuplicate",
        "Unsupported value" => "FieldValueNotSupported",
        "Forbidden" => "FieldValueForbidden",
        "Too long" => "FieldValueTooLong",
        _ => "FieldValueInvalid",
    };
}
