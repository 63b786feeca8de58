using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Granary.Errors;
using Granary.Model;

namespace Granary.Serialization;

/// <summary>
/// The one JSON form of every resource: camelCase Kubernetes names, RFC 3339 times, quantities as strings,
/// nulls omitted. Used in the object store, in manifests, in CLI output and (later) at the HTTP edge.
/// </summary>
public static class GranaryJson
{
    public static readonly JsonSerializerOptions Options = Create(indented: false);
    public static readonly JsonSerializerOptions Indented = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
        };
        o.Converters.Add(new Rfc3339JsonConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static string Serialize<T>(T value, bool indented = false) =>
        JsonSerializer.Serialize(value, indented ? Indented : Options);

    public static string SerializeResource(IResource resource, bool indented = false) =>
        JsonSerializer.Serialize(resource, resource.GetType(), indented ? Indented : Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new BadRequestException("the document is empty (null)");

    public static IResource DeserializeResource(string json, ResourceKind kind) =>
        (IResource)(JsonSerializer.Deserialize(json, TypeOf(kind), Options) ?? throw new BadRequestException("the document is empty (null)"));

    /// <summary>Reads one manifest document whose kind is named inside it.</summary>
    public static IResource DeserializeManifest(JsonNode document)
    {
        var kindName = document["kind"]?.GetValue<string>();
        if (string.IsNullOrEmpty(kindName))
            throw new BadRequestException("the document has no \"kind\" field (expected e.g. kind: Pod)");
        var kind = ResourceKinds.All.FirstOrDefault(k => k.Kind == kindName)
            ?? throw new BadRequestException($"kind \"{kindName}\" is not served (served kinds: {string.Join(", ", ResourceKinds.All.Select(k => k.Kind))})");
        var apiVersion = document["apiVersion"]?.GetValue<string>();
        if (apiVersion is not null && apiVersion != kind.ApiVersion)
            throw new BadRequestException($"{kind.Kind} is served as apiVersion \"{kind.ApiVersion}\", not \"{apiVersion}\"");
        try
        {
            return (IResource)(document.Deserialize(TypeOf(kind), Options) ?? throw new BadRequestException("the document is empty (null)"));
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"{kind.Singular}: {Describe(e)}");
        }
    }

    /// <summary>A JSON error as a user can act on it: the field path and what was wrong.</summary>
    public static string Describe(JsonException e)
    {
        var path = e.Path is { Length: > 2 } p ? p[2..] : "(document)";
        var inner = e.InnerException?.Message ?? e.Message;
        return $"{path}: Invalid value: {inner.Split(". Path:")[0]}";
    }

    public static Type TypeOf(ResourceKind kind) =>
        Api.ResourceGrains.FindModelType(kind) ?? throw new BadRequestException($"kind \"{kind.Kind}\" has no model type");
}
