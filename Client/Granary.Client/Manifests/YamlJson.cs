using System.Text.Json.Nodes;
using Granary.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Granary.Client.Manifests;

/// <summary>One YAML document as JSON, typed as the manifest reader types it (e.g. the body of a server-side apply).</summary>
public static class YamlJson
{
    /// <summary>
    /// Collections nested deeper ("[[[[…") than this are refused before YamlDotNet builds its node tree, which it
    /// does recursively: a body of nested brackets must not be able to overflow the stack.
    /// </summary>
    private const int MaxNestingDepth = 1000;

    public static JsonNode? Parse(string yaml)
    {
        if (NestingDepth(yaml) > MaxNestingDepth)
            throw new BadRequestException($"error converting YAML to JSON: yaml: exceeded max depth of {MaxNestingDepth}");
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
            return stream.Documents.Count switch
            {
                0 => null,
                1 => YamlToJson.Convert(stream.Documents[0].RootNode),
                _ => throw new BadRequestException("the YAML holds more than one document; send one object"),
            };
        }
        catch (YamlException e)
        {
            throw new BadRequestException($"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.Message}");
        }
        catch (YamlToJson.ConversionException e)
        {
            throw new BadRequestException($"error converting YAML to JSON: yaml: line {e.At.Line}: {e.Path}: {e.Message}");
        }
    }

    /// <summary>
    /// The deepest nesting of the YAML's collections, read with YamlDotNet's event parser, which keeps its states on a
    /// heap stack rather than recursing. Errors are left to the full parse that follows, which reports them.
    /// </summary>
    private static int NestingDepth(string yaml)
    {
        int depth = 0, deepest = 0;
        var parser = new Parser(new StringReader(yaml));
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart:
                        deepest = Math.Max(deepest, ++depth);
                        if (deepest > MaxNestingDepth)
                            return deepest;
                        break;
                    case YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException)
        {
            // Malformed: the parse that follows says where.
        }
        return deepest;
    }
}
