using System.Text.Json.Nodes;
using Granary.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Granary.Client.Manifests;

/// <summary>One YAML document as JSON, typed as the manifest reader types it (e.g. the body of a server-side apply).</summary>
public static class YamlJson
{
    public static JsonNode? Parse(string yaml)
    {
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
}
