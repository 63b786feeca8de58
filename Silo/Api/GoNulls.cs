using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Silo.Api;

/// <summary>
/// JSON nulls read as Go's decoder reads them into Kubernetes' types, before a body becomes a Granary object: a null
/// field is the field left out (a nil pointer, map or slice), and a null list item is the item's zero value (an empty
/// object among objects, an empty string among strings), which validation then names ("containers[0].name:
/// Required value"). Without this, a null inside a list or a map would reach code that rightly assumes none.
/// </summary>
internal static class GoNulls
{
    public static void Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                    obj.Remove(key);
                foreach (var (_, child) in obj)
                    Normalize(child);
                break;
            case JsonArray array:
                var zero = ZeroItem(array);
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is null)
                        array[i] = zero?.DeepClone();
                    else
                        Normalize(array[i]);
                }
                break;
        }
    }

    /// <summary>The zero value of the list's items, judged by its other items: {} among objects, "" otherwise.</summary>
    private static JsonNode? ZeroItem(JsonArray array) =>
        array.Any(item => item is JsonObject) ? new JsonObject()
        : array.Any(item => item is JsonArray) ? new JsonArray()
        : array.Any(item => item is JsonValue v && v.GetValueKind() is JsonValueKind.Number) ? JsonValue.Create(0)
        : JsonValue.Create("");
}
