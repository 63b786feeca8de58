using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Grains.Validation;

/// <summary>
/// Structural equality of specs, as Kubernetes' semantic equality: records holding immutable collections
/// do not compare by value, so specs are compared in their JSON form, with an empty list or map the same as
/// none and quantities compared by amount ("1" equals "1000m").
/// </summary>
internal static class SpecComparison
{
    public static bool AreEqual(PodSpec a, PodSpec b) => JsonNode.DeepEquals(Normalize(a), Normalize(b));

    /// <summary>The same equality for any other spec (claims, volumes), whose quantities are compared as written.</summary>
    public static bool AreEqual<T>(T a, T b) where T : class =>
        JsonNode.DeepEquals(Prune(JsonSerializer.SerializeToNode(a, GranaryJson.Options)), Prune(JsonSerializer.SerializeToNode(b, GranaryJson.Options)));

    private static JsonNode? Normalize(PodSpec spec)
    {
        var canonical = spec with
        {
            Containers = spec.Containers?.Select(c => c with { Resources = Canonical(c.Resources) }).ToImmutableList(),
            InitContainers = spec.InitContainers?.Select(c => c with { Resources = Canonical(c.Resources) }).ToImmutableList(),
        };
        return Prune(JsonSerializer.SerializeToNode(canonical, GranaryJson.Options));
    }

    private static ResourceRequirements? Canonical(ResourceRequirements? resources) =>
        resources is null ? null : new()
        {
            Requests = resources.Requests?.ToImmutableSortedDictionary(p => p.Key, p => Canonical(p.Value)),
            Limits = resources.Limits?.ToImmutableSortedDictionary(p => p.Key, p => Canonical(p.Value)),
            Claims = resources.Claims,
        };

    private static Quantity Canonical(Quantity quantity) =>
        Quantity.IsValid(quantity.Text)
            ? new(quantity.Amount.ToString("0.############################", CultureInfo.InvariantCulture))
            : quantity;

    private static JsonNode? Prune(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj
            .Select(p => KeyValuePair.Create(p.Key, Prune(p.Value)))
            .Where(p => p.Value is not (null or JsonObject { Count: 0 } or JsonArray { Count: 0 }))),
        JsonArray array => new JsonArray([.. array.Select(Prune)]),
        _ => node?.DeepClone(),
    };
}
