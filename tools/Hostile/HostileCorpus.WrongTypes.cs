using System.Text.Json.Nodes;

namespace Granary.Hostile;

/// <summary>Valid templates with one value of the wrong type put at a path (null, numbers where strings belong and the reverse).</summary>
public sealed partial class HostileCorpus
{
    private IEnumerable<HostileRequest> WrongTypes(Random random)
    {
        foreach (var (kind, collection, json) in Templates)
        {
            var template = JsonNode.Parse(json)!;
            foreach (var (path, node) in Paths(template, ""))
            {
                if (path is "apiVersion" or "kind")
                    continue;
                foreach (var wrong in WrongValuesFor(node, random))
                {
                    var changed = template.DeepClone();
                    var body = Replace(changed, path, wrong);
                    // A quantity may be a JSON number in kube-apiserver too (resource.Quantity reads both).
                    var quantityNumber = path.Contains(".resources.", StringComparison.Ordinal) && char.IsAsciiDigit(wrong[0]);
                    yield return Create("wrong-types", $"{kind} {path} = {Clip(wrong)}", collection, body, maySucceed: wrong == "null" || quantityNumber);
                }
            }
        }
    }

    private static IEnumerable<string> WrongValuesFor(JsonNode? node, Random random)
    {
        string[] all = ["null", "\"text\"", "42", "-1.5", "true", "{}", "[]", "{\"a\":{\"b\":[1]}}", "[\"a\",1,null]", "1e400", "18446744073709551616"];
        var kind = node?.GetValueKind();
        var wrong = all.Where(v => kind switch
        {
            System.Text.Json.JsonValueKind.String => !v.StartsWith('"'),
            System.Text.Json.JsonValueKind.Number => v is not ("42" or "-1.5" or "1e400" or "18446744073709551616"),
            System.Text.Json.JsonValueKind.Object => !v.StartsWith('{'),
            System.Text.Json.JsonValueKind.Array => !v.StartsWith('['),
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => v != "true",
            _ => true,
        }).ToList();
        // Three of them, drawn: every kind of wrong value turns up over a run, without multiplying the corpus.
        return wrong.OrderBy(_ => random.Next()).Take(3).Append("null").Distinct();
    }

    /// <summary>
    /// A number sent as a string ("5"): kube-apiserver refuses it, Granary reads it (GranaryJson reads numbers from
    /// strings, for manifests); counted as a known leniency, not a wrong answer.
    /// </summary>
    private static bool IsQuoted(string number) => number.StartsWith('"');

    private static IEnumerable<(string Path, JsonNode? Node)> Paths(JsonNode? node, string path)
    {
        if (path.Length > 0)
            yield return (path, node);
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj)
                foreach (var inner in Paths(child, path.Length == 0 ? key : $"{path}.{key}"))
                    yield return inner;
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
                foreach (var inner in Paths(array[i], $"{path}[{i}]"))
                    yield return inner;
        }
    }

    /// <summary>The template with the node at <paramref name="path"/> replaced by raw JSON text (which may be a number JSON cannot hold).</summary>
    private static string Replace(JsonNode root, string path, string rawJson)
    {
        const string marker = "\"@@HOSTILE@@\"";
        var parts = path.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        var parent = root;
        for (var i = 0; i < parts.Length - 1; i++)
            parent = Child(parent, parts[i])!;
        var last = parts[^1];
        if (last.StartsWith('['))
            parent.AsArray()[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = "@@HOSTILE@@";
        else
            parent.AsObject()[last] = "@@HOSTILE@@";
        return root.ToJsonString().Replace(marker, rawJson, StringComparison.Ordinal);
    }

    private static JsonNode? Child(JsonNode node, string part) =>
        part.StartsWith('[') ? node.AsArray()[int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture)] : node.AsObject()[part];
}
