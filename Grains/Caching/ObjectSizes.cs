namespace Granary.Grains.Caching;

/// <summary>
/// The length of each cached object's stored JSON and their total, for the silo's /metrics and for the events'
/// byte cap. Not thread-safe: <see cref="KindCache"/> calls it under its lock.
/// </summary>
internal sealed class ObjectSizes
{
    private readonly Dictionary<string, int> _sizes = new(StringComparer.Ordinal);

    /// <summary>The sum of the lengths held.</summary>
    public long Total { get; private set; }

    /// <summary>The length held for <paramref name="key"/>; 0 when none is.</summary>
    public int Of(string key) => _sizes.GetValueOrDefault(key);

    /// <summary>Records the length of the object at <paramref name="key"/>; 0 means it is gone.</summary>
    public void Set(string key, int bytes)
    {
        Total += bytes - _sizes.GetValueOrDefault(key);
        if (bytes == 0)
            _sizes.Remove(key);
        else
            _sizes[key] = bytes;
    }

    public void Clear()
    {
        _sizes.Clear();
        Total = 0;
    }
}
