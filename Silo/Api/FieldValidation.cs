using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Errors;
using Granary.Model;
using Granary.Serialization;
using Granary.Silo.Api.OpenApi;

namespace Granary.Silo.Api;

/// <summary>The <c>fieldValidation</c> query parameter of create, update and patch.</summary>
internal enum FieldValidationMode
{
    /// <summary>Unknown and duplicate fields are dropped silently (kubectl --validate=false).</summary>
    Ignore,

    /// <summary>The object is written; each problem comes back as a <c>Warning</c> header, which kubectl prints. The default, as in Kubernetes.</summary>
    Warn,

    /// <summary>Any problem fails the request with 400 BadRequest and nothing is written (kubectl's default).</summary>
    Strict,
}

/// <summary>Applies the request's fieldValidation to the problems <see cref="UnknownFields"/> finds in a body.</summary>
internal static class FieldValidation
{
    public static FieldValidationMode ModeOf(HttpRequest request) => request.Query["fieldValidation"].ToString() switch
    {
        "" or "Warn" => FieldValidationMode.Warn,
        "Strict" => FieldValidationMode.Strict,
        "Ignore" => FieldValidationMode.Ignore,
        var other => throw new BadRequestException($"fieldValidation: Unsupported value: \"{other}\": supported values: \"Ignore\", \"Strict\", \"Warn\""),
    };

    /// <summary>Checks <paramref name="json"/> as an object of <paramref name="kind"/>; throws under Strict, warns under Warn.</summary>
    public static void Check(HttpContext context, ResourceKind kind, JsonElement json, bool patchDirectives = false)
    {
        var mode = ModeOf(context.Request);
        if (mode != FieldValidationMode.Ignore)
            Report(context, kind, mode, UnknownFields.Find(json, GranaryJson.TypeOf(kind), GranaryJson.Options, patchDirectives));
    }

    public static void Check(HttpContext context, ResourceKind kind, JsonNode json) =>
        Check(context, kind, JsonSerializer.SerializeToElement(json, GranaryJson.Options));

    private static void Report(HttpContext context, ResourceKind kind, FieldValidationMode mode, List<string> problems) =>
        Report(context, kind.Kind, GroupVersion.Of(kind).Version, mode, problems);

    /// <summary>Applies the request's fieldValidation to problems found elsewhere (unknown protobuf field numbers).</summary>
    public static void Report(HttpContext context, string kind, string apiVersion, IReadOnlyList<string> problems) =>
        Report(context, kind, apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..], ModeOf(context.Request), problems);

    private static void Report(HttpContext context, string kind, string version, FieldValidationMode mode, IReadOnlyList<string> problems)
    {
        if (problems.Count == 0 || mode == FieldValidationMode.Ignore)
            return;
        if (mode == FieldValidationMode.Strict)
        {
            throw new BadRequestException(
                $"{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {string.Join(", ", problems)}");
        }
        foreach (var problem in problems)
            AddWarning(context.Response, problem);
    }

    /// <summary>An RFC 7234 warning as kube-apiserver sends it (code 299, no agent); kubectl prints "Warning: text".</summary>
    public static void AddWarning(HttpResponse response, string text) =>
        response.Headers.Append("Warning", $"299 - \"{HeaderSafe(text).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");

    /// <summary>A header value holds printable ASCII only: anything else (a field name from a hostile body) is written as \uXXXX.</summary>
    private static string HeaderSafe(string text) =>
        text.All(c => c is >= ' ' and <= '~') ? text : string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}"));
}
