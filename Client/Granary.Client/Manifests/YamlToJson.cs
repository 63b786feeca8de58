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

    /// <summary>Nesting deeper than JSON bodies may be (System.Text.Json's default depth, which every body is read with).</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Aliases may expand a document to this many times its own nodes, beyond a small allowance: go-yaml's guard
    /// against "billion laughs" (nested aliases that expand exponentially), which kube-apiserver relies on.
    /// </summary>
    private const int AllowedAliasRatio = 10;
    private const int AliasAllowance = 400_000;

    public static JsonNode? Convert(YamlNode node) => Convert(node, "", new Budget(), 0);

    private static JsonNode? Convert(YamlNode node, string path, Budget budget, int depth)
    {
        if (depth > MaxDepth)
            throw new ConversionException(node.Start, path, $"exceeded max depth of {MaxDepth}");
        budget.Count(node, path);
        return node switch
        {
            YamlMappingNode map => ConvertMapping(map, path, budget, depth),
            YamlSequenceNode seq => new JsonArray([.. seq.Children.Select((item, i) => Convert(item, $"{path}[{i}]", budget, depth + 1))]),
            YamlScalarNode scalar => ConvertScalar(scalar, path),
            _ => throw new ConversionException(node.Start, path, $"unsupported YAML node {node.NodeType}"),
        };
    }

    /// <summary>Nodes converted and distinct nodes seen: an alias converts its anchored node again, the same instance.</summary>
    private sealed class Budget
    {
        private readonly HashSet<YamlNode> _distinct = new(ReferenceEqualityComparer.Instance);
        private long _converted;

        public void Count(YamlNode node, string path)
        {
            _converted++;
            _distinct.Add(node);
            if (_converted > AliasAllowance && _converted > (long)AllowedAliasRatio * _distinct.Count)
                throw new ConversionException(node.Start, path, "document contains excessive aliasing");
        }
    }

    private static JsonObject ConvertMapping(YamlMappingNode map, string path, Budget budget, int depth)
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
            result[key] = Convert(valueNode, childPath, budget, depth + 1);
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
