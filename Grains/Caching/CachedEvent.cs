using Granary.Api;
using Granary.Model;

namespace Granary.Grains.Caching;

/// <summary>One change as the cache keeps it: the object after, and before (to tell when it left a filter).</summary>
public sealed record CachedEvent(long Revision, WatchEventType Type, IResource Object, IResource? Previous)
{
    /// <summary>The length of the change's JSON as stored: what the watch history's byte cap counts.</summary>
    public int Bytes { get; init; }

    /// <summary>
    /// The event as a filtered watcher sees it, as kube-apiserver's cacher does: an object that starts to match
    /// is ADDED, one that stops matching is DELETED, one that matches neither before nor after is not seen.
    /// </summary>
    public WatchEvent? For(ObjectFilter filter)
    {
        var now = Type != WatchEventType.Deleted && filter.Matches(Object);
        var before = Previous is not null && filter.Matches(Previous);
        return (before, now, Type) switch
        {
            (_, _, WatchEventType.Deleted) => filter.Matches(Object) || before ? new WatchEvent(WatchEventType.Deleted, Object) : null,
            (false, true, _) => new WatchEvent(WatchEventType.Added, Object),
            (true, true, _) => new WatchEvent(WatchEventType.Modified, Object),
            (true, false, _) => new WatchEvent(WatchEventType.Deleted, Object),
            _ => null,
        };
    }
}
