using System.Text.Json.Nodes;
using Granary.Errors;

namespace Granary.Silo.Api;

/// <summary>A JSON patch that cannot be applied to the object (a failed test, a missing path): 422 as kube-apiserver answers.</summary>
internal sealed class PatchFailedException(string message) : Exception(message);

/// <summary>
/// The three patch formats kubectl sends, applied to an object's JSON: RFC 7386 merge patch, RFC 6902 JSON patch,
/// and a strategic merge patch reduced to merge patch plus lists merged by their Kubernetes merge key.
/// </summary>
internal static class JsonPatches
{
    /// <summary>
    /// The patch merge keys of the lists Granary's kinds carry (k8s.io/api's patchMergeKey tags). Where one field name has
    /// different keys in different types (container ports by containerPort, service ports by port), the first key the
    /// patch's items carry is used.
    /// </summary>
    private static readonly Dictionary<string, string[]> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = ["name"],
        ["initContainers"] = ["name"],
        ["ephemeralContainers"] = ["name"],
        ["volumes"] = ["name"],
        ["env"] = ["name"],
        ["imagePullSecrets"] = ["name"],
        ["volumeMounts"] = ["mountPath"],
        ["ports"] = ["containerPort", "port"],
        ["conditions"] = ["type"],
        ["ownerReferences"] = ["uid"],
        ["hostAliases"] = ["ip"],
        ["topologySpreadConstraints"] = ["topologyKey"],
        ["volumeDevices"] = ["devicePath"],
        ["podIPs"] = ["ip"],
        ["hostIPs"] = ["ip"],
        ["schedulingGates"] = ["name"],
        ["resourceClaims"] = ["name"],
    };

    /// <summary>The keys a list field's items may be merged by (the first its items carry wins); empty for a list replaced whole.</summary>
    public static IReadOnlyList<string> MergeKeysOf(string field) => MergeKeys.GetValueOrDefault(field) ?? [];

    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    /// <summary>
    /// RFC 7386: objects merge, null removes a key, anything else replaces. With <paramref name="strategic"/>, kubectl's
    /// strategic merge patch on top: lists with a merge key merge item by item, and the directives <c>$patch</c>
    /// (merge, replace, delete), <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/</c> and <c>$setElementOrder/</c>
    /// (ordering only, ignored) are honoured.
    /// </summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch, bool strategic = false)
    {
        if (patch is not JsonObject patchObject)
            return patch?.DeepClone();
        if (strategic && Directive(patchObject) is { } directive)
        {
            if (directive == "replace")
                return WithoutDirectives(patchObject);
            if (directive != "merge")
                throw new BadRequestException($"the strategic merge patch directive $patch: {directive} is not supported on an object by this server");
        }
        var result = target is JsonObject t ? t.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (strategic && key.StartsWith('$'))
            {
                if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal))
                    DeleteValues(result, key[DeleteFromPrimitiveList.Length..], value);
                else if (key is not ("$patch" or "$retainKeys") && !key.StartsWith("$setElementOrder/", StringComparison.Ordinal))
                    throw new BadRequestException($"the strategic merge patch directive {key} is not supported by this server");
                continue;
            }
            if (value is null || (strategic && value is JsonObject o && Directive(o) == "delete"))
                result.Remove(key);
            else if (strategic && value is JsonArray patchList && result[key] is JsonArray current && MergeKeyOf(key, patchList) is { } mergeKey)
                result[key] = MergeList(current, patchList, mergeKey);
            else
                result[key] = Merge(result[key], value, strategic);
        }
        if (strategic && patchObject["$retainKeys"] is JsonArray retain)
        {
            var kept = retain.Select(k => (string?)k).ToHashSet(StringComparer.Ordinal);
            foreach (var key in result.Select(p => p.Key).Where(k => !kept.Contains(k)).ToList())
                result.Remove(key);
        }
        return result;
    }

    private static string? Directive(JsonObject o) => o["$patch"] is JsonValue v && v.TryGetValue<string>(out var d) ? d : null;

    private static JsonObject WithoutDirectives(JsonObject o)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in o.Where(p => !p.Key.StartsWith('$')))
            copy[key] = value?.DeepClone();
        return copy;
    }

    /// <summary>The merge key of a list field, when its items (or the patch's first item) carry one of the field's keys.</summary>
    private static string? MergeKeyOf(string field, JsonArray patchList) =>
        MergeKeys.TryGetValue(field, out var keys)
            ? keys.FirstOrDefault(k => patchList.OfType<JsonObject>().Any(i => i.ContainsKey(k))) ?? keys[0]
            : null;

    private static void DeleteValues(JsonObject result, string field, JsonNode? values)
    {
        if (result[field] is not JsonArray current || values is not JsonArray remove)
            return;
        var kept = current.Where(i => !remove.Any(r => JsonNode.DeepEquals(r, i))).Select(i => i?.DeepClone());
        result[field] = new JsonArray([.. kept]);
    }

    /// <summary>Strategic merge of a list of objects by merge key: matching items merge, new ones append, <c>$patch: delete</c> removes.</summary>
    private static JsonArray MergeList(JsonArray current, JsonArray patch, string mergeKey)
    {
        // [{"$patch": "replace"}, items...] replaces the whole list with the items.
        bool IsReplaceMarker(JsonNode? e) => e is JsonObject o && !o.ContainsKey(mergeKey) && Directive(o) == "replace";
        if (patch.Any(IsReplaceMarker))
            return new JsonArray([.. patch.Where(e => !IsReplaceMarker(e)).Select(e => Merge(null, e, strategic: true))]);
        var items = current.Select(i => i?.DeepClone()).ToList();
        foreach (var element in patch)
        {
            if (element is not JsonObject patchItem || patchItem[mergeKey] is not JsonValue keyValue)
                throw new BadRequestException($"every item of a list merged by {mergeKey} must be an object with {mergeKey}");
            var key = keyValue.ToJsonString();
            var index = items.FindIndex(i => i is JsonObject o && o[mergeKey]?.ToJsonString() == key);
            var directive = Directive(patchItem);
            if (directive == "delete")
            {
                if (index >= 0)
                    items.RemoveAt(index);
                continue;
            }
            if (directive == "replace")
            {
                if (index >= 0)
                    items[index] = WithoutDirectives(patchItem);
                else
                    items.Add(WithoutDirectives(patchItem));
                continue;
            }
            if (directive is not null && directive != "merge")
                throw new BadRequestException($"the strategic merge patch directive $patch: {directive} is not supported in lists by this server");
            var item = patchItem.DeepClone().AsObject();
            item.Remove("$patch");
            if (index >= 0)
                items[index] = Merge(items[index], item, strategic: true);
            else
                items.Add(Merge(null, item, strategic: true));
        }
        return new JsonArray([.. items]);
    }

    /// <summary>RFC 6902: add, remove, replace, move, copy and test, in order, all or nothing.</summary>
    public static JsonNode? Apply(JsonNode? document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
            throw new BadRequestException("a JSON patch must be a JSON array of operations");
        var root = new JsonObject { ["doc"] = document?.DeepClone() };
        foreach (var node in operations)
        {
            if (node is not JsonObject op || (string?)op["op"] is not { } name || (string?)op["path"] is not { } path)
                throw new BadRequestException("every JSON patch operation needs \"op\" and \"path\"");
            switch (name)
            {
                case "add":
                    Add(root, path, Value(op));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, Value(op));
                    break;
                case "move":
                    var moved = Remove(root, From(op));
                    Add(root, path, moved);
                    break;
                case "copy":
                    Add(root, path, Get(root, From(op))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), Value(op)))
                        throw new PatchFailedException($"testing value {path} failed: test failed");
                    break;
                default:
                    throw new BadRequestException($"unexpected JSON patch operation \"{name}\"");
            }
        }
        return root["doc"];
    }

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw new BadRequestException($"the \"{(string?)op["op"]}\" operation needs a \"value\"");

    private static string From(JsonObject op) => (string?)op["from"] ?? throw new BadRequestException($"the \"{(string?)op["op"]}\" operation needs \"from\"");

    /// <summary>The pointer's tokens below the wrapper's "doc" key.</summary>
    private static List<string> Tokens(string pointer)
    {
        if (pointer.Length > 0 && pointer[0] != '/')
            throw new BadRequestException($"invalid JSON pointer \"{pointer}\"");
        var tokens = new List<string> { "doc" };
        if (pointer.Length > 0)
            tokens.AddRange(pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)));
        return tokens;
    }

    private static JsonNode? Get(JsonObject root, string pointer)
    {
        JsonNode? node = root;
        foreach (var token in Tokens(pointer))
            node = Child(node, token, pointer);
        return node;
    }

    private static JsonNode? Child(JsonNode? node, string token, string pointer) => node switch
    {
        JsonObject o when o.TryGetPropertyValue(token, out var v) => v,
        JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
        _ => throw new PatchFailedException($"the path \"{pointer}\" does not exist"),
    };

    private static JsonNode Parent(JsonObject root, string pointer, out string last)
    {
        var tokens = Tokens(pointer);
        if (tokens.Count == 1)
        {
            last = "doc";
            return root;
        }
        JsonNode? node = root;
        foreach (var token in tokens[..^1])
            node = Child(node, token, pointer);
        last = tokens[^1];
        return node ?? throw new PatchFailedException($"the path \"{pointer}\" does not exist");
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        switch (Parent(root, pointer, out var last))
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new PatchFailedException($"the path \"{pointer}\" does not exist");
        }
    }

    private static JsonNode? Remove(JsonObject root, string pointer)
    {
        switch (Parent(root, pointer, out var last))
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var value):
                o.Remove(last);
                return value;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                var item = a[i];
                a.RemoveAt(i);
                return item;
            default:
                throw new PatchFailedException($"the path \"{pointer}\" does not exist");
        }
    }
}
