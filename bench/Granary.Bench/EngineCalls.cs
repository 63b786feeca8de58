using System.Collections.Concurrent;

namespace Granary.Bench;

/// <summary>
/// Counts the Engine API calls a dockerd started with <c>--debug</c> logs (<c>msg="Calling GET /v1.41/containers/json"</c>),
/// by kind (method and path with ids left out: "GET containers/json" is a list, "GET containers/{id}/json" an inspect),
/// so a phase in which only the agent talks to the engine can say how many calls each pod cost.
/// </summary>
internal sealed class EngineCalls
{
    private const string Marker = "msg=\"Calling ";
    private readonly ConcurrentDictionary<string, long> _byKind = new(StringComparer.Ordinal);

    /// <summary>Looks at one line of dockerd's output; called from the output reader's thread.</summary>
    public void Add(string line)
    {
        var at = line.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
            return;
        var call = line[(at + Marker.Length)..];
        var end = call.IndexOfAny(['"', '?']);
        _byKind.AddOrUpdate(Kind(end < 0 ? call : call[..end]), 1, (_, n) => n + 1);
    }

    /// <summary>"POST /v1.41/containers/abc/start" → "POST containers/{id}/start"; the version prefix and ids go.</summary>
    public static string Kind(string call)
    {
        var space = call.IndexOf(' ');
        if (space < 0)
            return call;
        var segments = call[(space + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (segments.Count > 0 && segments[0].StartsWith("v1.", StringComparison.Ordinal))
            segments.RemoveAt(0);
        // The resource (containers, images, exec) and its verb stay; whatever stands between them names one object.
        if (segments.Count > 2)
            segments = [segments[0], "{id}", segments[^1]];
        else if (segments.Count == 2 && segments[0] is "containers" or "images" or "exec" && segments[1] is not ("json" or "create" or "load"))
            segments = [segments[0], "{id}"];
        return $"{call[..space]} {string.Join('/', segments)}";
    }

    /// <summary>The counts so far, by kind.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_byKind, StringComparer.Ordinal);

    /// <summary>What was counted between two snapshots, by kind, most first.</summary>
    public static IReadOnlyList<KeyValuePair<string, long>> Between(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        [.. after.Select(a => KeyValuePair.Create(a.Key, a.Value - before.GetValueOrDefault(a.Key)))
            .Where(d => d.Value > 0).OrderByDescending(d => d.Value).ThenBy(d => d.Key, StringComparer.Ordinal)];
}
