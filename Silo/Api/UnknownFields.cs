using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Granary.Silo.Api;

/// <summary>
/// Finds the fields of a JSON document that its model type would silently drop (unknown fields) and the fields
/// given twice (duplicates), worded as kube-apiserver's strict decoding: <c>unknown field "spec.foo"</c>,
/// <c>duplicate field "metadata.name"</c>, list items as <c>spec.containers[0].foo</c>.
/// It walks the document against System.Text.Json's own metadata for the type, so it knows exactly the fields the
/// deserializer reads: objects by their JSON property names (case-sensitive, as Kubernetes), lists and maps by
/// their element type. A type read by a converter of its own (quantities, times, fieldsV1, JsonElement) or an
/// object with extension data takes any content.
/// </summary>
internal static class UnknownFields
{
    private static readonly ConcurrentDictionary<JsonTypeInfo, FrozenDictionary<string, JsonPropertyInfo>> Properties = new();

    /// <param name="patchDirectives">Whether keys starting with <c>$</c> are strategic merge patch directives, not fields.</param>
    public static List<string> Find(JsonElement json, Type type, JsonSerializerOptions options, bool patchDirectives = false)
    {
        var problems = new List<string>();
        Walk(json, options.GetTypeInfo(type), "", options, patchDirectives, problems);
        return problems;
    }

    public static List<string> Find(JsonNode json, Type type, JsonSerializerOptions options) =>
        Find(JsonSerializer.SerializeToElement(json, options), type, options);

    private static void Walk(JsonElement json, JsonTypeInfo info, string path, JsonSerializerOptions options, bool directives, List<string> problems)
    {
        if (Nullable.GetUnderlyingType(info.Type) is { } underlying)
            info = options.GetTypeInfo(underlying);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when json.ValueKind == JsonValueKind.Object:
                var known = Properties.GetOrAdd(info, static i => i.Properties.Where(p => !p.IsExtensionData).ToFrozenDictionary(p => p.Name, StringComparer.Ordinal));
                var open = info.Properties.Any(p => p.IsExtensionData);
                foreach (var (name, value, child) in Members(json, path, problems))
                {
                    if (known.TryGetValue(name, out var property))
                        Walk(value, options.GetTypeInfo(property.PropertyType), child, options, directives, problems);
                    else if (!open && !(directives && name.StartsWith('$')))
                        problems.Add($"unknown field \"{child}\"");
                }
                break;
            case JsonTypeInfoKind.Dictionary when json.ValueKind == JsonValueKind.Object:
                var values = options.GetTypeInfo(info.ElementType!);
                foreach (var (name, value, child) in Members(json, path, problems))
                {
                    if (!(directives && name.StartsWith('$')))
                        Walk(value, values, child, options, directives, problems);
                }
                break;
            case JsonTypeInfoKind.Enumerable when json.ValueKind == JsonValueKind.Array:
                var items = options.GetTypeInfo(info.ElementType!);
                var index = 0;
                foreach (var item in json.EnumerateArray())
                    Walk(item, items, $"{path}[{index++}]", options, directives, problems);
                break;
            default:
                // A leaf (number, string, a converter's own form) or a value of the wrong shape, which the
                // deserializer itself reports with its path.
                break;
        }
    }

    /// <summary>The members of an object with their paths, reporting each name seen before as a duplicate.</summary>
    private static IEnumerable<(string Name, JsonElement Value, string Path)> Members(JsonElement json, string path, List<string> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in json.EnumerateObject())
        {
            var child = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
            if (!seen.Add(member.Name))
                problems.Add($"duplicate field \"{child}\"");
            yield return (member.Name, member.Value, child);
        }
    }

    /// <summary>
    /// The document as a JsonNode where a repeated member keeps its last value, as Go's JSON decoder does
    /// (JsonNode itself refuses duplicates).
    /// </summary>
    public static JsonNode? ToNode(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => LastWins(json),
        JsonValueKind.Array => new JsonArray([.. json.EnumerateArray().Select(ToNode)]),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => JsonValue.Create(json),
    };

    private static JsonObject LastWins(JsonElement json)
    {
        var result = new JsonObject();
        foreach (var member in json.EnumerateObject())
            result[member.Name] = ToNode(member.Value);
        return result;
    }
}
