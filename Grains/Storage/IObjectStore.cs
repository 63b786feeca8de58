using Granary.Model;

namespace Granary.Grains.Storage;

/// <summary>
/// Where objects live, one atomic step per write: store the object, bump its kind's revision, append the
/// change to the kind's event history. A write is never visible without its event, so a watcher that
/// resumes from any revision misses nothing. Implementations: <see cref="RedisObjectStore"/> (production)
/// and <see cref="InMemoryObjectStore"/> (the single-silo dev mode; state dies with the process).
///
/// Objects are passed as their JSON without metadata.resourceVersion: the store assigns the revision,
/// and readers put it back into metadata (<see cref="StoredObject.Revision"/>).
/// </summary>
public interface IObjectStore
{
    /// <summary>Stores a new object. Returns its revision, or throws AlreadyExists.</summary>
    Task<long> CreateAsync(ResourceKind kind, string key, string json);

    /// <summary>Replaces an object if it is still at <paramref name="expectedRevision"/>; else Conflict (or NotFound).</summary>
    Task<long> UpdateAsync(ResourceKind kind, string key, string json, long expectedRevision);

    /// <summary>Removes an object at <paramref name="expectedRevision"/>; the DELETED event carries <paramref name="finalJson"/>.</summary>
    Task<long> DeleteAsync(ResourceKind kind, string key, string finalJson, long expectedRevision);

    Task<StoredObject?> GetAsync(ResourceKind kind, string key);

    /// <summary>Every object of the kind and the revision they are consistent at, read atomically.</summary>
    Task<StoreSnapshot> ListAsync(ResourceKind kind);

    /// <summary>The kind's current revision (the last write's).</summary>
    Task<long> GetRevisionAsync(ResourceKind kind);

    /// <summary>
    /// Up to <paramref name="max"/> events after <paramref name="afterRevision"/>, in order, with no gaps.
    /// Throws <see cref="Errors.ExpiredException"/> when the history no longer reaches back that far.
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(ResourceKind kind, long afterRevision, int max);

    /// <summary>Calls <paramref name="onChange"/> soon after any write of the kind. Only a hint: readers re-read events.</summary>
    IDisposable SubscribeChanges(ResourceKind kind, Action onChange);

    /// <summary>
    /// How many times this process has seen the store lose the kind's data (a Redis that restarted empty or from an
    /// older snapshot). Whoever holds copies of the kind's objects compares it with the value it loaded at, and reads
    /// again when it moved: what it holds may no longer exist. Starts at 0; the store only ever raises it.
    /// </summary>
    int Generation(ResourceKind kind);

    /// <summary>Raised once per detected loss of the kind's data, after revisions were raised past every one handed out before.</summary>
    event Action<ResourceKind>? DataLost;
}

public sealed record StoredObject(long Revision, string Json);

public sealed record StoreSnapshot(long Revision, IReadOnlyList<KeyValuePair<string, StoredObject>> Objects);

public enum StoredEventType { Added, Modified, Deleted }

public sealed record StoredEvent(long Revision, StoredEventType Type, string Key, string Json);
