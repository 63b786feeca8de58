using System.Collections.Concurrent;
using System.Net;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// sessionAffinity ClientIP of one listener: which endpoint a client address last used, until it has been idle for
/// the service's timeout (each use renews it, as kube-proxy's IPVS persistence does).
/// </summary>
internal sealed class AffinityTable(TimeProvider time)
{
    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();

    public IPEndPoint? Find(IPAddress client, TimeSpan timeout)
    {
        if (!_entries.TryGetValue(client, out var entry))
            return null;
        if (time.GetTimestamp() - entry.LastUsed <= Ticks(timeout))
            return entry.Backend;
        _entries.TryRemove(new KeyValuePair<IPAddress, Entry>(client, entry));
        return null;
    }

    public void Remember(IPAddress client, IPEndPoint backend) => _entries[client] = new Entry(backend, time.GetTimestamp());

    /// <summary>Forgets clients idle for longer than <paramref name="timeout"/>, so the table does not grow without bound.</summary>
    public void Expire(TimeSpan timeout)
    {
        var now = time.GetTimestamp();
        foreach (var pair in _entries)
            if (now - pair.Value.LastUsed > Ticks(timeout))
                _entries.TryRemove(pair);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private readonly record struct Entry(IPEndPoint Backend, long LastUsed);
}
