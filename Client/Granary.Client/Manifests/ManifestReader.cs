using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Errors;
using Granary.Model;
using Granary.Serialization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Granary.Client.Manifests;

/// <summary>
/// Reads Kubernetes-style manifests: multi-document YAML (<c>---</c>) or JSON, with <c>List</c> documents expanded
/// and empty documents skipped. Every error is a <see cref="BadRequestException"/> naming the source, the document
/// and the line or field.
/// </summary>
public static class ManifestReader
{
    /// <summary>The source name of standard input, as kubectl names it.</summary>
    public const string StdinSource = "STDIN";

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>All objects in <paramref name="text"/>; throws the first error.</summary>
    public static IReadOnlyList<IResource> Parse(string text, string source) => Unwrap(ParseDocuments(text, source));

    /// <summary>Objects from files, directories (their *.yaml, *.yml and *.json, by name, not recursive) and <c>-</c> (stdin); throws the first error.</summary>
    public static IReadOnlyList<IResource> ReadPaths(IEnumerable<string> paths, TextReader stdin) => Unwrap(ReadDocuments(paths, stdin));

    /// <summary>Every document of <paramref name="text"/>, each with its object or its error, in order.</summary>
    public static IReadOnlyList<ManifestDocument> ParseDocuments(string text, string source)
    {
        var trimmed = text.AsSpan().TrimStart("\uFEFF \t\r\n");
        return trimmed.StartsWith("{") ? ParseJson(text, source) : ParseYaml(text, source);
    }

    /// <summary>
    /// Every document of every path, each with its object or its error. A path that does not exist, or a directory
    /// without manifests, fails the whole call: nothing should be applied from a mistyped command line.
    /// </summary>
    public static IReadOnlyList<ManifestDocument> ReadDocuments(IEnumerable<string> paths, TextReader stdin)
    {
        var sources = new List<(string Source, Func<string> Read)>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                sources.Add((StdinSource, stdin.ReadToEnd));
            }
            else if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0)
                    throw new BadRequestException($"the directory \"{path}\" has no manifests (*.yaml, *.yml or *.json)");
                sources.AddRange(files.Select(f => (f, (Func<string>)(() => File.ReadAllText(f)))));
            }
            else if (File.Exists(path))
            {
                sources.Add((path, () => File.ReadAllText(path)));
            }
            else
            {
                throw new BadRequestException($"the path \"{path}\" does not exist");
            }
        }

        var documents = new List<ManifestDocument>();
        foreach (var (source, read) in sources)
        {
            string text;
            try
            {
                text = read();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BadRequestException($"error reading {source}: {e.Message}");
            }
            documents.AddRange(ParseDocuments(text, source));
        }
        return documents;
    }

    private static IReadOnlyList<IResource> Unwrap(IReadOnlyList<ManifestDocument> documents)
    {
        if (documents.FirstOrDefault(d => d.Error is not null) is { Error: { } error })
            throw error;
        return [.. documents.Select(d => d.Resource!)];
    }

    private static List<ManifestDocument> ParseYaml(string text, string source)
    {
        var documents = new List<ManifestDocument>();
        var number = 0;
        foreach (var (chunk, firstLine) in SplitDocuments(text))
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(chunk));
            }
            catch (YamlException e)
            {
                // The documents of this chunk read before the error are kept; the failing one is reported.
                documents.AddRange(stream.Documents.Where(d => !IsEmpty(d.RootNode)).SelectMany(d => FromYaml(d, source, ++number, firstLine)));
                documents.Add(Failed(source, ++number, null, $"error converting YAML to JSON: yaml: line {firstLine + (int)e.End.Line - 1}: {Problem(e)}"));
                continue;
            }
            foreach (var document in stream.Documents)
            {
                if (IsEmpty(document.RootNode))
                    continue;
                documents.AddRange(FromYaml(document, source, ++number, firstLine));
            }
        }
        return documents;
    }

    private static IEnumerable<ManifestDocument> FromYaml(YamlDocument document, string source, int number, int firstLine)
    {
        JsonNode? json;
        try
        {
            json = YamlToJson.Convert(document.RootNode);
        }
        catch (YamlToJson.ConversionException e)
        {
            var field = e.Path.Length == 0 ? "" : $"{e.Path}: ";
            return [Failed(source, number, null, $"error converting YAML to JSON: yaml: line {firstLine + (int)e.At.Line - 1}: {field}{e.Message}")];
        }
        return FromJson(json, source, number);
    }

    private static bool IsEmpty(YamlNode root) =>
        root is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: var v } && YamlScalars.Resolve(v ?? "") == YamlScalars.Kind.Null;

    /// <summary>Splits at lines that start with <c>---</c> followed by nothing or a comment, as kubectl's YAML reader does.</summary>
    private static IEnumerable<(string Chunk, int FirstLine)> SplitDocuments(string text)
    {
        var chunk = new StringBuilder();
        var firstLine = 1;
        var lineNumber = 0;
        var lines = text.Split('\n');
        foreach (var line in lines)
        {
            lineNumber++;
            if (line.StartsWith("---", StringComparison.Ordinal) && line[3..].Trim() is var rest && (rest.Length == 0 || rest[0] == '#'))
            {
                yield return (chunk.ToString(), firstLine);
                chunk.Clear();
                firstLine = lineNumber + 1;
                continue;
            }
            chunk.Append(line);
            if (lineNumber < lines.Length)
                chunk.Append('\n');
        }
        yield return (chunk.ToString(), firstLine);
    }

    /// <summary>YamlDotNet's message without its "(Line: …) - (Line: …): " prefix, which we replace by the file's line.</summary>
    private static string Problem(YamlException e)
    {
        var message = e.Message;
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && at >= 0)
            message = message[(at + 3)..];
        message = message.TrimEnd('.');
        return message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;
    }

    private static List<ManifestDocument> ParseJson(string text, string source)
    {
        var documents = new List<ManifestDocument>();
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            AllowMultipleValues = true,
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        });
        var number = 0;
        while (true)
        {
            JsonNode? json;
            try
            {
                if (!reader.Read())
                    break;
                json = JsonNode.Parse(ref reader);
            }
            catch (JsonException e)
            {
                // A syntax error leaves no way to find where the next object starts.
                documents.Add(Failed(source, ++number, null, $"error parsing JSON: line {e.LineNumber + 1}: {e.Message.Split(" LineNumber:")[0]}"));
                break;
            }
            documents.AddRange(FromJson(json, source, ++number));
        }
        return documents;
    }

    private static List<ManifestDocument> FromJson(JsonNode? json, string source, int number)
    {
        if (json is not JsonObject document)
            return [Failed(source, number, null, $"expected an object with apiVersion, kind and metadata, not {Describe(json)}")];

        var kind = document["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : null;
        if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && document["items"] is JsonArray items)
        {
            // Items of a typed list (PodList) may omit their kind, as the API server writes them.
            var itemKind = kind == "List" ? null : kind[..^"List".Length];
            return [.. items.Select((item, i) => FromListItem(item, itemKind, document["apiVersion"], source, number, i + 1))];
        }
        return [Deserialize(document, source, number, null)];
    }

    private static ManifestDocument FromListItem(JsonNode? item, string? itemKind, JsonNode? apiVersion, string source, int number, int index)
    {
        if (item is not JsonObject obj)
            return Failed(source, number, index, $"expected an object with apiVersion, kind and metadata, not {Describe(item)}");
        if (itemKind is not null && obj["kind"] is null)
        {
            obj = (JsonObject)obj.DeepClone();
            obj["kind"] = itemKind;
            if (obj["apiVersion"] is null && apiVersion is not null)
                obj["apiVersion"] = apiVersion.DeepClone();
        }
        return Deserialize(obj, source, number, index);
    }

    private static ManifestDocument Deserialize(JsonObject document, string source, int number, int? item)
    {
        try
        {
            return new ManifestDocument(source, number, item, GranaryJson.DeserializeManifest(document), null);
        }
        catch (GranaryException e)
        {
            return Failed(source, number, item, e.Message);
        }
        catch (InvalidOperationException e)
        {
            // A kind or apiVersion that is not a string.
            return Failed(source, number, item, $"kind and apiVersion must be strings: {e.Message}");
        }
    }

    private static ManifestDocument Failed(string source, int number, int? item, string message)
    {
        var document = new ManifestDocument(source, number, item, null, null);
        return document with { Error = new BadRequestException($"{document.Location}: {message}") };
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "a list",
        JsonValue v => $"the value {v.ToJsonString()}",
        _ => "an object",
    };
}
