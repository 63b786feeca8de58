using System.Text.RegularExpressions;

namespace Granary.Tools.ProtoSchemaGen;

/// <summary>
/// The JSON names of protobuf fields from the Go types' struct tags (<c>json:"apiGroup" protobuf:"bytes,1,opt,name=aPIGroup"</c>):
/// where they differ from the .proto's name, and the embedded structs (<c>json:",inline"</c>) whose fields Go puts in
/// the parent's JSON object (written "*"); a field without JSON (<c>json:"-"</c>) is written "-". And which fields Go's
/// JSON leaves out when they hold their zero value (a value, not a pointer, tagged <c>omitempty</c>), which Go's
/// protobuf writes all the same.
/// </summary>
internal static partial class GoJsonTags
{
    public static Dictionary<(string Message, int Number), GoField> Read(string directory)
    {
        var names = new Dictionary<(string, int), GoField>();
        var files = Directory.GetFiles(directory, "*.go").Where(f => !f.EndsWith("_test.go", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("generated", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("zz_", StringComparison.Ordinal));
        foreach (var file in files)
        {
            string? type = null;
            foreach (var line in File.ReadLines(file))
            {
                if (StructRegex().Match(line) is { Success: true } start)
                    type = start.Groups[1].Value;
                else if (line.StartsWith('}'))
                    type = null;
                else if (type is not null && TagRegex().Match(line) is { Success: true } tag)
                {
                    var json = tag.Groups[2].Value.Split(',');
                    var goType = tag.Groups[1].Value;
                    var omitsZero = json.Contains("omitempty") && !goType.StartsWith('*') && !goType.StartsWith('[') && !goType.StartsWith("map[", StringComparison.Ordinal);
                    names[(type, int.Parse(tag.Groups[3].Value))] = new GoField(json[0].Length == 0 ? "*" : json[0], omitsZero);
                }
            }
        }
        return names;
    }

    [GeneratedRegex(@"^type\s+(\w+)\s+struct\s*\{")]
    private static partial Regex StructRegex();

    [GeneratedRegex(@"^\s*(?:\w+\s+)?(\S+)\s+`json:""([^""]*)"".*protobuf:""\w+,(\d+),")]
    private static partial Regex TagRegex();
}

/// <summary>A Go field's JSON name, and whether Go's JSON omits it when it holds its zero value.</summary>
internal sealed record GoField(string JsonName, bool OmitsZero);
