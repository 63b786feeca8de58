using Granary.Model;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// The pods the control plane wants on this node, as last heard. Kept in memory, so what runs keeps running
/// while the control plane is unreachable (static stability); replaced wholesale on every resync, so a lost
/// notification costs at most one resync period.
/// </summary>
public sealed class DesiredPods
{
    private readonly object _lock = new();
    private Dictionary<string, Pod> _pods = [];
    // Pods whose deletion this agent completed: a late notification about them must not bring them back.
    private readonly HashSet<string> _gone = [];

    /// <summary>True once a full snapshot arrived: only then may the agent remove containers of unknown pods.</summary>
    public bool Synced { get; private set; }

    /// <summary>
    /// When the read of the current full snapshot began (null when the caller did not say). A container created before
    /// it whose pod the snapshot lacks belonged to a pod that was deleted, or evicted, while this agent was away.
    /// </summary>
    public DateTimeOffset? ReadAt { get; private set; }

    /// <summary>Raised after any change, so the sync loop runs at once.</summary>
    public event Action? Changed;

    /// <param name="readAt">When the read of <paramref name="pods"/> began (the control plane's consistent read).</param>
    public void ReplaceAll(IEnumerable<Pod> pods, DateTimeOffset? readAt = null)
    {
        lock (_lock)
        {
            ReadAt = readAt;
            _pods = pods.Where(p => p.Metadata.Uid is not null && !_gone.Contains(p.Metadata.Uid)).ToDictionary(p => p.Metadata.Uid!);
            // A full snapshot no longer mentions finished deletions, so their marks can go.
            _gone.IntersectWith(pods.Select(p => p.Metadata.Uid!));
            Synced = true;
        }
        Changed?.Invoke();
    }

    /// <summary>One pod's change; an older version than the one held is ignored.</summary>
    public void Apply(Pod pod)
    {
        if (pod.Metadata.Uid is not { } uid)
            return;
        lock (_lock)
        {
            if (_gone.Contains(uid) || (_pods.TryGetValue(uid, out var held) && Version(held) > Version(pod)))
                return;
            _pods[uid] = pod;
        }
        Changed?.Invoke();
    }

    /// <summary>Forgets a pod once its deletion is complete.</summary>
    public void Remove(string uid)
    {
        lock (_lock)
        {
            _pods.Remove(uid);
            _gone.Add(uid);
        }
    }

    public IReadOnlyList<Pod> Snapshot()
    {
        lock (_lock)
            return [.. _pods.Values];
    }

    public Pod? Find(string @namespace, string name)
    {
        lock (_lock)
            return _pods.Values.FirstOrDefault(p => p.Metadata.Namespace == @namespace && p.Metadata.Name == name);
    }

    private static long Version(Pod pod) =>
        long.TryParse(pod.Metadata.ResourceVersion, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0;
}
