using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Silo.Api;

/// <summary>
/// Sets of field paths in Kubernetes' FieldsV1 form, as server-side apply records them in managedFields:
/// <c>f:name</c> for a field of an object or a key of a map, <c>k:{"name":"c"}</c> for the item of a list merged by
/// key (with <c>.</c> for the item itself), and a leaf <c>{}</c> for a value, including a list replaced whole.
/// </summary>
internal static class FieldSets
{
    /// <summary>The fields an applied configuration sets (its identity and system fields left out, as in Kubernetes).</summary>
    public static JsonObject Of(JsonObject applied)
    {
        var set = Of(applied, root: true);
        if (set["f:metadata"] is JsonObject meta)
        {
            foreach (var system in new[] { "f:name", "f:namespace", "f:uid", "f:resourceVersion", "f:generation", "f:creationTimestamp", "f:managedFields" })
                meta.Remove(system);
            if (meta.Count == 0)
                set.Remove("f:metadata");
        }
        return set;
    }

    private static JsonObject Of(JsonObject json, bool root)
    {
        // Sorted by name, as kube-apiserver writes field sets.
        var set = new JsonObject();
        foreach (var (name, value) in json.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (root && name is "apiVersion" or "kind")
                continue;
            set["f:" + name] = value switch
            {
                JsonObject o when o.Count > 0 => Of(o, root: false),
                JsonArray a when JsonPatches.MergeKeysOf(name).FirstOrDefault(k => a.All(i => i is JsonObject item && item[k] is JsonValue)) is { } key =>
                    new JsonObject(a.Select(i => KeyValuePair.Create(ItemKey(key, i!.AsObject()), (JsonNode?)WithSelf(Of(i!.AsObject(), root: false))))
                        .OrderBy(p => p.Key, StringComparer.Ordinal)),
                _ => new JsonObject(),
            };
        }
        return set;
    }

    private static JsonObject WithSelf(JsonObject item)
    {
        var result = new JsonObject { ["."] = new JsonObject() };
        foreach (var (k, v) in item)
            result[k] = v?.DeepClone();
        return result;
    }

    private static string ItemKey(string key, JsonObject item) => "k:" + new JsonObject { [key] = item[key]!.DeepClone() }.ToJsonString();

    /// <summary>Every leaf path of a set: the fields whose values are owned.</summary>
    public static IEnumerable<string[]> Leaves(JsonObject set, string[]? prefix = null)
    {
        prefix ??= [];
        foreach (var (key, value) in set)
        {
            var path = (string[])[.. prefix, key];
            if (value is JsonObject { Count: > 0 } children)
            {
                foreach (var leaf in Leaves(children, path))
                    yield return leaf;
            }
            else
            {
                yield return path;
            }
        }
    }

    public static bool Contains(JsonObject set, string[] path)
    {
        JsonNode? node = set;
        foreach (var key in path)
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(key, out node))
                return false;
        }
        return true;
    }

    /// <summary><paramref name="set"/> without <paramref name="path"/> (and without parents left empty).</summary>
    public static void Remove(JsonObject set, string[] path)
    {
        if (path.Length == 0)
            return;
        if (path.Length == 1)
        {
            set.Remove(path[0]);
            return;
        }
        if (set[path[0]] is JsonObject child)
        {
            Remove(child, path[1..]);
            if (child.Count == 0)
                set.Remove(path[0]);
        }
    }

    /// <summary>The value at a path of an object, or null when the object has nothing there.</summary>
    public static JsonNode? Find(JsonNode? json, string[] path)
    {
        var node = json;
        foreach (var key in path)
        {
            node = key switch
            {
                "." => node,
                _ when key.StartsWith("f:", StringComparison.Ordinal) && node is JsonObject o => o[key[2..]],
                _ when key.StartsWith("k:", StringComparison.Ordinal) && node is JsonArray a => a.FirstOrDefault(i => Matches(i, key)),
                _ => null,
            };
            if (node is null)
                return null;
        }
        return node;
    }

    /// <summary>Removes the field at <paramref name="path"/> from an object: a map key, an object field or a keyed list item.</summary>
    public static void RemoveValue(JsonNode? json, string[] path)
    {
        if (path.Length == 0)
            return;
        if (path[^1] == ".")
        {
            RemoveValue(json, path[..^1]);
            return;
        }
        var parent = Find(json, path[..^1]);
        var last = path[^1];
        if (last.StartsWith("f:", StringComparison.Ordinal) && parent is JsonObject o)
            o.Remove(last[2..]);
        else if (last.StartsWith("k:", StringComparison.Ordinal) && parent is JsonArray a && a.FirstOrDefault(i => Matches(i, last)) is { } item)
            a.Remove(item);
    }

    private static bool Matches(JsonNode? item, string key)
    {
        if (item is not JsonObject o)
            return false;
        var wanted = JsonNode.Parse(key[2..]) as JsonObject;
        return wanted is not null && wanted.All(w => JsonNode.DeepEquals(o[w.Key], w.Value));
    }

    /// <summary>A path as kube-apiserver prints it in conflicts: <c>.spec.containers[name="c"].image</c>.</summary>
    public static string Describe(string[] path)
    {
        var text = new System.Text.StringBuilder();
        foreach (var key in path)
        {
            if (key.StartsWith("f:", StringComparison.Ordinal))
            {
                text.Append('.').Append(key[2..]);
            }
            else if (key.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(key[2..]) is JsonObject fields)
            {
                text.Append('[').Append(string.Join(",", fields.Select(f => $"{f.Key}={f.Value?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })}"))).Append(']');
            }
        }
        return text.ToString();
    }
}
