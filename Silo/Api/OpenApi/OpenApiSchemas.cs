using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Silo.Api.OpenApi;

/// <summary>
/// components.schemas of one group version, generated from the model records through System.Text.Json's own
/// metadata (<see cref="JsonSchemaExporter"/> with <see cref="GranaryJson.Options"/>), so a schema always says what
/// the server really reads. Every record becomes one named schema ("io.k8s.api.core.v1.PodSpec"), referenced with
/// <c>$ref</c> as kube-apiserver does; the kinds carry <c>x-kubernetes-group-version-kind</c>, which
/// <c>kubectl explain</c> looks for.
/// </summary>
internal static class OpenApiSchemas
{
    public const string MetaPackage = "io.k8s.apimachinery.pkg.apis.meta.v1";
    public const string RefPrefix = "#/components/schemas/";

    /// <summary>Types read by a converter of their own: JSON Schema knows nothing of them, so their wire form is stated here.</summary>
    private static readonly Dictionary<Type, Func<JsonObject>> ConverterTypes = new()
    {
        [typeof(Quantity)] = () => new JsonObject { ["type"] = "string", ["description"] = "A resource quantity: " + Quantity.FormatRule },
        [typeof(IntOrString)] = () => new JsonObject { ["type"] = "string", ["format"] = "int-or-string", ["x-kubernetes-int-or-string"] = true },
        [typeof(DateTimeOffset)] = () => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
        [typeof(FieldsV1)] = () => new JsonObject { ["type"] = "object" },
        [typeof(Bytes)] = () => new JsonObject { ["type"] = "string", ["format"] = "byte" },
    };

    public static string KindSchemaName(ResourceKind kind) => $"io.k8s.api.{GroupVersion.Of(kind).SchemaPackage}.{kind.Kind}";

    public static JsonObject Ref(string schemaName) => new() { ["$ref"] = RefPrefix + schemaName };

    /// <summary>The schemas of <paramref name="kinds"/> and of every type they reach, by name.</summary>
    public static SortedDictionary<string, JsonObject> Build(IEnumerable<ResourceKind> kinds)
    {
        var builder = new Builder();
        // Object metadata and what it reaches are apimachinery's meta/v1 types in kube's naming.
        builder.Add(typeof(ObjectMeta), MetaPackage);
        foreach (var kind in kinds)
        {
            var name = builder.Add(GranaryJson.TypeOf(kind), $"io.k8s.api.{GroupVersion.Of(kind).SchemaPackage}");
            builder.Schemas[name]["x-kubernetes-group-version-kind"] = GroupVersionKind(kind);
        }
        builder.Drain();
        return builder.Schemas;
    }

    public static JsonArray GroupVersionKind(ResourceKind kind, string? kindName = null)
    {
        var gv = GroupVersion.Of(kind);
        return [new JsonObject { ["group"] = gv.Group, ["kind"] = kindName ?? kind.Kind, ["version"] = gv.Version }];
    }

    private sealed class Builder
    {
        private readonly Dictionary<Type, string> _names = [];
        private readonly Queue<(Type Type, string Package)> _pending = new();

        public SortedDictionary<string, JsonObject> Schemas { get; } = new(StringComparer.Ordinal);

        /// <summary>Names <paramref name="type"/> in <paramref name="package"/> (unless already named) and builds its schema.</summary>
        public string Add(Type type, string package)
        {
            var name = NameOf(type, package);
            Drain();
            return name;
        }

        public void Drain()
        {
            while (_pending.TryDequeue(out var next))
                Schemas[_names[next.Type]] = Export(next.Type, next.Package);
        }

        private string NameOf(Type type, string package)
        {
            if (!_names.TryGetValue(type, out var name))
            {
                name = $"{package}.{type.Name}";
                _names[type] = name;
                _pending.Enqueue((type, package));
            }
            return name;
        }

        private JsonObject Export(Type type, string package)
        {
            var exporter = new JsonSchemaExporterOptions
            {
                TreatNullObliviousAsNonNullable = true,
                TransformSchemaNode = (context, schema) => Transform(context, schema, type, package),
            };
            var schema = GranaryJson.Options.GetJsonSchemaAsNode(type, exporter);
            return (JsonObject)ToOpenApi30(schema)!;
        }

        /// <summary>Nested records become references to their own named schema; converter types get their wire form.</summary>
        private JsonNode Transform(JsonSchemaExporterContext context, JsonNode schema, Type root, string package)
        {
            var type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
            if (ConverterTypes.TryGetValue(type, out var wire))
                return wire();
            if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && type != root)
                return Ref(NameOf(type, package));
            // Lists merged by key: kubectl's client-side apply computes its strategic merge patch from these, as from kube's schemas.
            if (context.PropertyInfo is { } property && context.TypeInfo.Kind == JsonTypeInfoKind.Enumerable && schema is JsonObject list
                && JsonPatches.MergeKeysOf(property.Name).FirstOrDefault(key =>
                    GranaryJson.Options.GetTypeInfo(context.TypeInfo.ElementType!).Properties.Any(p => p.Name == key)) is { } mergeKey)
            {
                list["x-kubernetes-list-map-keys"] = new JsonArray(mergeKey);
                list["x-kubernetes-list-type"] = "map";
                list["x-kubernetes-patch-merge-key"] = mergeKey;
                list["x-kubernetes-patch-strategy"] = "merge";
            }
            // A map of converter-read values (quantities) comes back without its value schema.
            if (context.TypeInfo.Kind == JsonTypeInfoKind.Dictionary && schema is JsonObject map && !map.ContainsKey("additionalProperties"))
                map["additionalProperties"] = ConverterTypes.TryGetValue(context.TypeInfo.ElementType!, out var values) ? values() : new JsonObject();
            return schema;
        }
    }

    /// <summary>
    /// JSON Schema (2020-12) to the OpenAPI 3.0 dialect kube-apiserver serves: one type per schema (the null
    /// alternative dropped, as kube writes none), no boolean schemas.
    /// </summary>
    private static string? SingleType(JsonArray types)
    {
        var named = types.Select(t => (string?)t).Where(t => t is not null and not "null").ToList();
        return named.FirstOrDefault(t => t != "string") ?? named.FirstOrDefault();
    }

    internal static JsonNode? ToOpenApi30(JsonNode? schema)
    {
        switch (schema)
        {
            case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return new JsonObject();
            case JsonObject o:
                var result = new JsonObject();
                foreach (var (key, value) in o)
                {
                    result[key] = key switch
                    {
                        "type" when value is JsonArray types => SingleType(types),
                        // Numbers are also read from strings (GranaryJson's number handling); the schema states the number.
                        "pattern" when o["type"] is JsonArray types && types.Count(t => (string?)t != "null") > 1 => null,
                        "properties" when value is JsonObject properties => new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, ToOpenApi30(p.Value)))),
                        "items" or "additionalProperties" => ToOpenApi30(value),
                        "enum" when value is JsonArray values => new JsonArray([.. values.Where(x => x is not null).Select(x => x!.DeepClone())]),
                        _ => value?.DeepClone(),
                    };
                }
                foreach (var empty in result.Where(p => p.Value is null).Select(p => p.Key).ToList())
                    result.Remove(empty);
                return result;
            default:
                return schema?.DeepClone();
        }
    }
}
