using System.Collections.Immutable;

namespace Granary.Errors;

/// <summary>
/// The errors the API gives back, classified by kind (never by message). Each carries what the HTTP edge
/// maps to a Kubernetes Status: the reason and the code. Messages read as kubectl prints them.
/// </summary>
[GenerateSerializer, Alias("granary.GranaryException")]
public abstract class GranaryException : Exception
{
    protected GranaryException(string message) : base(message) { }

    /// <summary>The Kubernetes Status reason (NotFound, AlreadyExists, Conflict, Invalid, …).</summary>
    public abstract string Reason { get; }

    /// <summary>The HTTP status code the edge answers with.</summary>
    public abstract int Code { get; }
}

[GenerateSerializer, Alias("granary.NotFoundException")]
public sealed class NotFoundException(string kind, string name) : GranaryException($"{kind} \"{name}\" not found")
{
    [Id(0)] public string Kind { get; } = kind;
    [Id(1)] public string Name { get; } = name;
    public override string Reason => "NotFound";
    public override int Code => 404;
}

[GenerateSerializer, Alias("granary.AlreadyExistsException")]
public sealed class AlreadyExistsException(string kind, string name) : GranaryException($"{kind} \"{name}\" already exists")
{
    [Id(0)] public string Kind { get; } = kind;
    [Id(1)] public string Name { get; } = name;
    public override string Reason => "AlreadyExists";
    public override int Code => 409;
}

/// <summary>An update carried a resourceVersion that is no longer current.</summary>
[GenerateSerializer, Alias("granary.ConflictException")]
public sealed class ConflictException(string kind, string name, string detail)
    : GranaryException($"Operation cannot be fulfilled on {kind} \"{name}\": {detail}")
{
    [Id(0)] public string Kind { get; } = kind;
    [Id(1)] public string Name { get; } = name;
    public override string Reason => "Conflict";
    public override int Code => 409;
}

/// <summary>One invalid field: its path, what kind of problem, and the detail.</summary>
[GenerateSerializer, Immutable, Alias("granary.FieldError")]
public sealed record FieldError(
    [property: Id(0)] string Field,
    [property: Id(1)] string Type,
    [property: Id(2)] string Detail)
{
    public static FieldError Required(string field) => new(field, "Required value", "");
    public static FieldError Invalid(string field, string? value, string detail) => new(field, "Invalid value", value is null ? detail : $"\"{value}\": {detail}");
    public static FieldError Duplicate(string field, string value) => new(field, "Duplicate value", $"\"{value}\"");
    public static FieldError Unsupported(string field, string value, IEnumerable<string> supported) =>
        new(field, "Unsupported value", $"\"{value}\": supported values: {string.Join(", ", supported.Select(s => $"\"{s}\""))}");
    public static FieldError Forbidden(string field, string detail) => new(field, "Forbidden", detail);
    public static FieldError NotFound(string field, string value) => new(field, "Not found", $"\"{value}\"");
    public static FieldError TooLong(string field, int maxBytes) => new(field, "Too long", $"must have at most {maxBytes} bytes");

    public override string ToString() => Detail.Length == 0 ? $"{Field}: {Type}" : $"{Field}: {Type}: {Detail}";
}

/// <summary>The object failed validation; every problem is listed at once, each naming its field.</summary>
[GenerateSerializer, Alias("granary.InvalidException")]
public sealed class InvalidException(string kind, string name, ImmutableList<FieldError> causes)
    : GranaryException($"{kind} \"{name}\" is invalid: {string.Join(", ", causes)}")
{
    [Id(0)] public string Kind { get; } = kind;
    [Id(1)] public string Name { get; } = name;
    [Id(2)] public ImmutableList<FieldError> Causes { get; } = causes;
    public override string Reason => "Invalid";
    public override int Code => 422;
}

/// <summary>A watch asked to resume from a version older than the retained history: list again.</summary>
[GenerateSerializer, Alias("granary.ExpiredException")]
public sealed class ExpiredException(string message) : GranaryException(message)
{
    public override string Reason => "Expired";
    public override int Code => 410;
}

[GenerateSerializer, Alias("granary.BadRequestException")]
public sealed class BadRequestException(string message) : GranaryException(message)
{
    public override string Reason => "BadRequest";
    public override int Code => 400;
}

[GenerateSerializer, Alias("granary.ForbiddenException")]
public sealed class ForbiddenException(string message) : GranaryException(message)
{
    public override string Reason => "Forbidden";
    public override int Code => 403;
}

/// <summary>The work cannot be done now (e.g. the pod's node agent is not connected); retrying later can succeed.</summary>
/// <param name="retryAfterSeconds">
/// When the fault passes by itself (the store restarting or failing over): how soon to retry, which the API answers with
/// kube's passing-fault Status and Retry-After. 0 for a condition that lasts until something changes (no endpoints).
/// </param>
[GenerateSerializer, Alias("granary.ServiceUnavailableException")]
public sealed class ServiceUnavailableException(string message, int retryAfterSeconds = 0) : GranaryException(message)
{
    [Id(0)] public int RetryAfterSeconds { get; } = retryAfterSeconds;

    public override string Reason => "ServiceUnavailable";
    public override int Code => 503;
}

/// <summary>A request body in a media type the API does not read (kubectl's typed clients send protobuf).</summary>
[GenerateSerializer, Alias("granary.UnsupportedMediaTypeException")]
public sealed class UnsupportedMediaTypeException(string? contentType)
    : GranaryException($"the body of the request was in an unknown format ({(string.IsNullOrEmpty(contentType) ? "no Content-Type" : contentType)}) - accepted media types include: application/json")
{
    public override string Reason => "UnsupportedMediaType";
    public override int Code => 415;
}

/// <summary>One cause of a failure, as a Status lists it in details.causes (reason, message, field).</summary>
[GenerateSerializer, Immutable, Alias("granary.StatusCause")]
public sealed record StatusCause(
    [property: Id(0)] string Reason,
    [property: Id(1)] string Message);

/// <summary>
/// The request is refused for now and may succeed later (an eviction the pod's disruption budget does not allow):
/// 429 TooManyRequests; a positive <see cref="RetryAfterSeconds"/> becomes the Retry-After header.
/// </summary>
[GenerateSerializer, Alias("granary.TooManyRequestsException")]
public sealed class TooManyRequestsException(string message, int retryAfterSeconds, ImmutableList<StatusCause> causes) : GranaryException(message)
{
    [Id(0)] public int RetryAfterSeconds { get; } = retryAfterSeconds;
    [Id(1)] public ImmutableList<StatusCause> Causes { get; } = causes;
    public override string Reason => "TooManyRequests";
    public override int Code => 429;
}

/// <summary>
/// A state the server cannot handle, worded as kube-apiserver words it (a pod with two disruption budgets cannot be
/// evicted): 500 InternalError. The message says what to change.
/// </summary>
[GenerateSerializer, Alias("granary.InternalErrorException")]
public sealed class InternalErrorException(string detail) : GranaryException($"Internal error occurred: {detail}")
{
    [Id(0)] public string Detail { get; } = detail;
    public override string Reason => "InternalError";
    public override int Code => 500;
}
