namespace Granary.Grains.Storage;

/// <summary>Settings of the object store (section "Store").</summary>
public sealed class StoreOptions
{
    /// <summary>
    /// Events kept per kind for watches to resume from. Older resume points get Expired (410) and list again.
    /// 100,000 events of ~1 KB cost ~100 MB of Redis memory per busy kind.
    /// </summary>
    public int EventHistory { get; set; } = 100_000;

    /// <summary>Prefix of every Redis key and channel; one per cluster, so clusters can share a Redis.</summary>
    public string KeyPrefix { get; set; } = "granary";
}
