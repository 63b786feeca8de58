using System.Collections.Concurrent;
using Granary.NodeAgent.Networking;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// The agent's <see cref="PodRecord"/>s, one per pod uid, and the one place a pod is forgotten: its record, its
/// desired entry, its reported status and its address go together. Thread-safe.
/// </summary>
public sealed class PodRecords(DesiredPods desired, PodStatusReporter reporter, IPodNetwork network)
{
    private readonly ConcurrentDictionary<string, PodRecord> _records = new(StringComparer.Ordinal);

    public PodRecord For(string uid) => _records.GetOrAdd(uid, u => new PodRecord(u));

    public PodRecord? Find(string uid) => _records.GetValueOrDefault(uid);

    /// <summary>Pods with work running beside the loop (a termination): their containers are not orphans.</summary>
    public IEnumerable<string> Busy() => _records.Where(r => r.Value.Busy).Select(r => r.Key);

    /// <summary>Every kill and termination running beside the loop, of every pod.</summary>
    public IReadOnlyList<Task> Work() => [.. _records.Values.SelectMany(r => r.Work)];

    /// <summary>The pod's deletion is complete: everything kept about it goes, and a late notification cannot bring it back.</summary>
    public void Deleted(string uid)
    {
        desired.Remove(uid);
        Forget(uid);
    }

    /// <summary>
    /// Forgets the pods no longer wanted here (bound elsewhere, or deleted while the agent did not watch) once nothing
    /// of theirs runs beside the loop. Their containers, if any, are orphans now.
    /// </summary>
    public void Retain(IReadOnlySet<string> wanted)
    {
        foreach (var (uid, record) in _records)
        {
            if (!wanted.Contains(uid) && !record.Busy)
                Forget(uid);
        }
    }

    private void Forget(string uid)
    {
        _records.TryRemove(uid, out _);
        reporter.Forget(uid);
        network.Release(uid);
    }
}
