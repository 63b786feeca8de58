using Granary.Model;

namespace Granary.Grains.Events;

/// <summary>
/// Which events to delete when their number or bytes pass a cap: the least recently written first (ties by key, so
/// every silo would choose the same), until what is left fits both targets.
/// </summary>
public static class EventPruning
{
    /// <summary>One kept event, its cache key and the bytes of its stored JSON.</summary>
    public sealed record Kept(string Key, Event Event, int Bytes);

    public static IReadOnlyList<Event> Plan(IReadOnlyList<Kept> events, int targetCount, long targetBytes)
    {
        var count = events.Count;
        var bytes = events.Sum(e => (long)e.Bytes);
        var victims = new List<Event>();
        foreach (var e in events.OrderBy(e => EventSweeperGrain.LastWritten(e.Event)).ThenBy(e => e.Key, StringComparer.Ordinal))
        {
            if (count <= targetCount && bytes <= targetBytes)
                break;
            victims.Add(e.Event);
            count--;
            bytes -= e.Bytes;
        }
        return victims;
    }
}
