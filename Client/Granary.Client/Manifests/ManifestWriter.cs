using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Client.Manifests;

/// <summary>
/// Writes objects as Kubernetes-style YAML, as kubectl prints them: block style, two-space indent, sequences
/// level with their key (<c>- name: web</c>), strings quoted only when a plain scalar would read differently.
/// Keys keep the order of the JSON form, so <c>-o yaml</c> and <c>-o json</c> list fields alike.
/// </summary>
public static class ManifestWriter
{
    public static string ToYaml(IResource resource) =>
        ToYaml(JsonSerializer.SerializeToNode(resource, resource.GetType(), GranaryJson.Options));

    public static string ToYaml(JsonNode? node)
    {
        var writer = new YamlBuilder();
        writer.WriteDocument(node);
        return writer.ToString();
    }

    private sealed class YamlBuilder
    {
        private readonly StringBuilder _out = new();

        public override string ToString() => _out.ToString();

        public void WriteDocument(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject { Count: > 0 } map:
                    WriteMapping(map, 0, continuesLine: false);
                    break;
                case JsonArray { Count: > 0 } seq:
                    WriteSequence(seq, 0, continuesLine: false);
                    break;
                default:
                    WriteInline(node, 0);
                    break;
            }
        }

        /// <summary>Writes a non-empty mapping; with <paramref name="continuesLine"/> its first key follows a "- " already written.</summary>
        private void WriteMapping(JsonObject map, int indent, bool continuesLine)
        {
            foreach (var (key, value) in map)
            {
                if (!continuesLine)
                    _out.Append(' ', indent);
                continuesLine = false;
                _out.Append(Scalar(key)).Append(':');
                switch (value)
                {
                    case JsonObject { Count: > 0 } child:
                        _out.Append('\n');
                        WriteMapping(child, indent + 2, continuesLine: false);
                        break;
                    case JsonArray { Count: > 0 } seq:
                        // Kubernetes style: a sequence under a key is not indented further.
                        _out.Append('\n');
                        WriteSequence(seq, indent, continuesLine: false);
                        break;
                    default:
                        _out.Append(' ');
                        WriteInline(value, indent + 2);
                        break;
                }
            }
        }

        private void WriteSequence(JsonArray seq, int indent, bool continuesLine)
        {
            foreach (var item in seq)
            {
                if (!continuesLine)
                    _out.Append(' ', indent);
                continuesLine = false;
                _out.Append("- ");
                switch (item)
                {
                    case JsonObject { Count: > 0 } map:
                        WriteMapping(map, indent + 2, continuesLine: true);
                        break;
                    case JsonArray { Count: > 0 } inner:
                        WriteSequence(inner, indent + 2, continuesLine: true);
                        break;
                    default:
                        WriteInline(item, indent + 2);
                        break;
                }
            }
        }

        /// <summary>A scalar or empty collection, ending the line; a multi-line string becomes a literal block at <paramref name="blockIndent"/>.</summary>
        private void WriteInline(JsonNode? node, int blockIndent)
        {
            switch (node)
            {
                case null:
                    _out.Append("null\n");
                    return;
                case JsonObject:
                    _out.Append("{}\n");
                    return;
                case JsonArray:
                    _out.Append("[]\n");
                    return;
            }

            var value = (JsonValue)node;
            switch (value.GetValueKind())
            {
                case JsonValueKind.String:
                    var text = value.GetValue<string>();
                    if (LiteralBlockHeader(text) is { } header)
                        WriteLiteralBlock(text, header, blockIndent);
                    else
                        _out.Append(Scalar(text)).Append('\n');
                    return;
                case JsonValueKind.True:
                    _out.Append("true\n");
                    return;
                case JsonValueKind.False:
                    _out.Append("false\n");
                    return;
                default:
                    _out.Append(value.ToJsonString(GranaryJson.Options)).Append('\n');
                    return;
            }
        }

        private void WriteLiteralBlock(string text, string header, int indent)
        {
            _out.Append(header).Append('\n');
            var body = text.EndsWith('\n') ? text[..^1] : text;
            foreach (var line in body.Split('\n'))
            {
                if (line.Length > 0)
                    _out.Append(' ', indent).Append(line);
                _out.Append('\n');
            }
        }

        /// <summary>
        /// "|" keeps one final newline, "|-" strips it. Null when a literal block cannot hold the text exactly:
        /// no newline at all, several final newlines, control characters, or a first line that starts with a space
        /// (which would need an indentation indicator).
        /// </summary>
        private static string? LiteralBlockHeader(string text)
        {
            if (!text.Contains('\n') || text.EndsWith("\n\n", StringComparison.Ordinal) || text.StartsWith(' ') || text.StartsWith('\n'))
                return null;
            if (text.Any(c => char.IsControl(c) && c != '\n'))
                return null;
            return text.EndsWith('\n') ? "|" : "|-";
        }
    }

    /// <summary>
    /// A string as a YAML scalar: plain when that reads back as the same string; in double quotes when the
    /// plain form would read as another type ("true", "123", "null", "") or needs escapes; else in single quotes.
    /// </summary>
    internal static string Scalar(string text)
    {
        if (!YamlScalars.NeedsQuotes(text))
            return text;
        if (YamlScalars.ReadsAsOtherType(text) || text.Any(c => char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF'))
            return DoubleQuoted(text);
        return $"'{text.Replace("'", "''", StringComparison.Ordinal)}'";
    }

    private static string DoubleQuoted(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                _ when char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF' =>
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }
        return sb.Append('"').ToString();
    }
}
