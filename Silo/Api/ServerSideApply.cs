using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Errors;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Silo.Api;

/// <summary>A server-side apply that would take fields other managers own (409 Conflict, with kube-apiserver's wording).</summary>
internal sealed class ApplyConflictException(string message, IReadOnlyList<(string Manager, string Field)> conflicts) : Exception(message)
{
    public IReadOnlyList<(string Manager, string Field)> Conflicts { get; } = conflicts;
}

/// <summary>
/// Server-side apply (PATCH with application/apply-patch+yaml) on an object's JSON: the applied configuration is
/// merged into the live object with strategic-merge rules, and the manager's field set is recorded in
/// metadata.managedFields (operation Apply). Fields the manager applied before and no longer applies are removed,
/// unless another manager also applies them. Applying a field another Apply manager owns with a different value
/// is a conflict unless forced; a forced apply takes the field from them.
/// Only Apply operations are recorded: fields written by create, update or patch have no owner, so apply never
/// conflicts with them (Kubernetes would record those writers as Update managers).
/// </summary>
internal static class ServerSideApply
{
    public const string Operation = "Apply";

    /// <summary>The managedFields entry for a new object created by an apply.</summary>
    public static JsonObject Created(JsonObject applied, string manager, string apiVersion, DateTimeOffset now)
    {
        var result = (JsonObject)applied.DeepClone();
        result.Remove("status");
        var meta = result["metadata"] as JsonObject ?? [];
        result["metadata"] = meta;
        meta["managedFields"] = new JsonArray(Entry(manager, apiVersion, now, FieldSets.Of(applied)));
        return result;
    }

    /// <summary>
    /// <paramref name="live"/> with <paramref name="applied"/> applied by <paramref name="manager"/>.
    /// Throws <see cref="ApplyConflictException"/> when the apply takes fields of another manager and <paramref name="force"/> is off.
    /// </summary>
    public static JsonObject Apply(JsonObject live, JsonObject applied, string manager, bool force, string apiVersion, DateTimeOffset now)
    {
        applied = (JsonObject)applied.DeepClone();
        applied.Remove("status");
        var entries = (live["metadata"]?["managedFields"] as JsonArray ?? []).Select(e => (JsonObject)e!.DeepClone()).ToList();
        var mine = entries.FirstOrDefault(e => IsApplyOf(e, manager));
        var others = entries.Where(e => e != mine && (string?)e["operation"] == Operation).ToList();
        var set = FieldSets.Of(applied);

        var conflicts = new List<(string Manager, string[] Path)>();
        foreach (var other in others)
        {
            var theirs = other["fieldsV1"] as JsonObject ?? [];
            foreach (var path in FieldSets.Leaves(set).Where(p => p[^1] != "." && FieldSets.Contains(theirs, p)))
            {
                // Values are compared; two objects (a map or struct both sides fill) are containers, not values.
                var (was, will) = (FieldSets.Find(live, path), FieldSets.Find(applied, path));
                if (!(was is JsonObject && will is JsonObject) && !JsonNode.DeepEquals(was, will))
                    conflicts.Add(((string)other["manager"]!, path));
            }
        }
        if (conflicts.Count > 0 && !force)
            throw Conflict(conflicts);
        foreach (var (owner, path) in conflicts)
        {
            var entry = others.First(e => (string?)e["manager"] == owner);
            if (entry["fieldsV1"] is JsonObject theirs)
                FieldSets.Remove(theirs, path);
        }

        // Fields this manager applied before and no longer applies go, unless another manager applies them too.
        var result = (JsonObject)live.DeepClone();
        if (mine?["fieldsV1"] is JsonObject previous)
        {
            foreach (var path in FieldSets.Leaves(previous).Where(p => !FieldSets.Contains(set, p)).Reverse())
            {
                if (!others.Any(o => o["fieldsV1"] is JsonObject theirs && FieldSets.Contains(theirs, path)))
                    FieldSets.RemoveValue(result, path);
            }
        }
        result = (JsonObject)JsonPatches.Merge(result, applied, strategic: true)!;

        var changed = !JsonNode.DeepEquals(WithoutManagedFields(result), WithoutManagedFields(live));
        var time = !changed && mine is not null && JsonNode.DeepEquals(mine["fieldsV1"], set) ? Time(mine, now) : now;
        var updated = entries
            .Where(e => e != mine && !(e["fieldsV1"] is JsonObject { Count: 0 } && others.Contains(e)))
            .Select(e => (JsonNode)e)
            .Append(Entry(manager, apiVersion, time, set));
        ((JsonObject)result["metadata"]!)["managedFields"] = new JsonArray([.. updated]);
        return result;
    }

    private static bool IsApplyOf(JsonObject entry, string manager) =>
        (string?)entry["manager"] == manager && (string?)entry["operation"] == Operation && string.IsNullOrEmpty((string?)entry["subresource"]);

    private static DateTimeOffset Time(JsonObject entry, DateTimeOffset fallback) =>
        entry["time"] is JsonValue v && DateTimeOffset.TryParse((string?)v, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : fallback;

    private static JsonNode WithoutManagedFields(JsonObject json)
    {
        var copy = (JsonObject)json.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    private static JsonObject Entry(string manager, string apiVersion, DateTimeOffset time, JsonObject set) =>
        (JsonObject)JsonSerializer.SerializeToNode(new ManagedFieldsEntry
        {
            Manager = manager,
            Operation = Operation,
            ApiVersion = apiVersion,
            Time = time,
            FieldsType = "FieldsV1",
            FieldsV1 = new FieldsV1(set.ToJsonString(GranaryJson.Options)),
        }, GranaryJson.Options)!;

    /// <summary>kube-apiserver's wording (structured-merge-diff conflicts), which kubectl prints with its advice.</summary>
    private static ApplyConflictException Conflict(List<(string Manager, string[] Path)> conflicts)
    {
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Manager}\": {FieldSets.Describe(conflicts[0].Path)}";
        }
        else
        {
            var lines = conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => g.Select(c => $"- {FieldSets.Describe(c.Path)}").Prepend($"conflicts with \"{g.Key}\":"));
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
        return new ApplyConflictException(message, [.. conflicts.Select(c => (c.Manager, FieldSets.Describe(c.Path)))]);
    }

    /// <summary>kube-apiserver's answer to an apply without fieldManager (controllers must name themselves).</summary>
    public static InvalidException MissingFieldManager() =>
        new("PatchOptions.meta.k8s.io", "", ImmutableList.Create(new FieldError("fieldManager", "Required value", "is required for apply patch")));
}
