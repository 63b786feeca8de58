using Granary.Model;

namespace Granary.Grains.Scheduling;

/// <summary>
/// The claims, volumes and classes as the planner sees them during a pass, by key ("namespace/name" for claims, name
/// for the others), plus the claims this pass has already placed on a node (kube-scheduler's assumed bindings), so
/// two pods sharing an unbound claim in one pass land together.
/// </summary>
public sealed class StorageSnapshot(
    IReadOnlyDictionary<string, PersistentVolumeClaim> claims,
    IReadOnlyDictionary<string, PersistentVolume> volumes,
    IReadOnlyDictionary<string, StorageClass> classes)
{
    public static readonly StorageSnapshot Empty = new(
        new Dictionary<string, PersistentVolumeClaim>(), new Dictionary<string, PersistentVolume>(), new Dictionary<string, StorageClass>());

    private readonly Dictionary<string, string> _assumed = new(StringComparer.Ordinal);

    public PersistentVolumeClaim? Claim(string key) => claims.GetValueOrDefault(key);

    public PersistentVolume? Volume(string name) => volumes.GetValueOrDefault(name);

    public StorageClass? Class(string? name) => string.IsNullOrEmpty(name) ? null : classes.GetValueOrDefault(name);

    /// <summary>The node this pass chose for an unbound claim, if any.</summary>
    public string? AssumedNode(string claimKey) => _assumed.GetValueOrDefault(claimKey);

    public void Assume(string claimKey, string nodeName) => _assumed[claimKey] = nodeName;
}
