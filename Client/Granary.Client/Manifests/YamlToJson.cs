using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Granary.Client.Manifests;

/// <summary>Converts a loaded YAML node to JSON: plain scalars typed by the YAML 1.2 core schema, quoted ones kept as strings.</summary>
internal static class YamlToJson
{
    private const string TagPrefix = "tag:yaml.org,2002:";

    /// <summary>A node YAML can hold but JSON cannot (a non-scalar key, a repeated key, an infinite number).</summary>
    public sealed class ConversionException(Mark at, string path, string message) : Exception(message)
    {
        public Mark At { get; } = at;
        public string Path { get; } = path;
    }

    public static JsonNode? Convert(YamlNode node) => Convert(node, "");

    private static JsonNode? Convert(YamlNode node, string path) => node switch
    {
        YamlMappingNode map => ConvertMapping(map, path),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select((item, i) => Convert(item, $"{path}[{i}]"))]),
        YamlScalarNode scalar => ConvertScalar(scalar, path),
        _ => throw new ConversionException(node.Start, path, $"unsupported YAML node {node.NodeType}"),
    };

    private static JsonObject ConvertMapping(YamlMappingNode map, string path)
    {
        var result = new JsonObject();
        foreach (var (keyNode, valueNode) in map.Children)
        {
            // JSON keys are strings: a plain key such as `true` or `8080` is taken as its text, as sigs.k8s.io/yaml does.
            if (keyNode is not YamlScalarNode { Value: { } key })
                throw new ConversionException(keyNode.Start, path, "a mapping key must be a string, not a collection");
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (result.ContainsKey(key))
                throw new ConversionException(keyNode.Start, childPath, $"key \"{key}\" is repeated");
            result[key] = Convert(valueNode, childPath);
        }
        return result;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar, string path)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        try
        {
            return tag switch
            {
                TagPrefix + "str" or "!" => JsonValue.Create(text),
                TagPrefix + "null" => null,
                TagPrefix + "bool" or TagPrefix + "int" or TagPrefix + "float" => Typed(text, tag[TagPrefix.Length..]),
                _ when scalar.Style is ScalarStyle.Plain or ScalarStyle.Any => YamlScalars.ToJson(text),
                _ => JsonValue.Create(text),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ConversionException(scalar.Start, path, e.Message);
        }
    }

    /// <summary>An explicitly tagged scalar (<c>!!int "8080"</c>): the text must read as that type.</summary>
    private static JsonNode? Typed(string text, string type)
    {
        var kind = YamlScalars.Resolve(text);
        var fits = type switch
        {
            "bool" => kind == YamlScalars.Kind.Bool,
            "int" => kind == YamlScalars.Kind.Int,
            _ => kind is YamlScalars.Kind.Int or YamlScalars.Kind.Float or YamlScalars.Kind.NotJson,
        };
        return fits
            ? YamlScalars.ToJson(text)
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"cannot read \"{text}\" as !!{type}"));
    }
}
