namespace Granary.Grains.Caching;

/// <summary>
/// One kind's watch history: the newest changes, in a ring indexed by revision, capped twice: by a count of changes
/// and by the bytes of their stored JSON, whichever is reached first. The oldest changes are forgotten first; the
/// newest is always kept. Revisions are consecutive, so the oldest change kept is always at
/// <c>newest - Count + 1</c>. Not thread-safe: <see cref="KindCache"/> calls it under its lock.
/// </summary>
internal sealed class WatchHistory
{
    private readonly int _window;
    private readonly long _windowBytes;
    private readonly CachedEvent?[] _ring;
    private long _newest;

    /// <param name="window">The most changes kept.</param>
    /// <param name="windowBytes">The most bytes (of stored JSON) kept.</param>
    public WatchHistory(int window, long windowBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBytes, 1);
        _window = window;
        _windowBytes = windowBytes;
        _ring = new CachedEvent?[window];
    }

    /// <summary>The revision of the oldest change held (one past the newest when none is held).</summary>
    public long FirstRevision { get; private set; } = 1;

    /// <summary>Changes held.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of stored JSON of the changes held.</summary>
    public long Bytes { get; private set; }

    /// <summary>The change at <paramref name="revision"/>, which must lie between <see cref="FirstRevision"/> and the newest.</summary>
    public CachedEvent At(long revision) => _ring[(int)(revision % _window)]!;

    /// <summary>Adds the newest change (its revision follows the last one's), then forgets the oldest while either cap is passed.</summary>
    public void Add(CachedEvent cached)
    {
        var slot = (int)(cached.Revision % _window);
        if (Count == _window)
            Forget(slot); // the slot of the change _window revisions back, the oldest
        _ring[slot] = cached;
        Count++;
        Bytes += cached.Bytes;
        _newest = cached.Revision;
        while (Bytes > _windowBytes && Count > 1)
            Forget((int)((_newest - Count + 1) % _window));
        FirstRevision = _newest - Count + 1;
    }

    /// <summary>Forgets every change: the history starts again after <paramref name="revision"/> (after a relist).</summary>
    public void Restart(long revision)
    {
        Array.Clear(_ring);
        Count = 0;
        Bytes = 0;
        _newest = revision;
        FirstRevision = revision + 1;
    }

    private void Forget(int slot)
    {
        if (_ring[slot] is { } oldest)
            Bytes -= oldest.Bytes;
        _ring[slot] = null;
        Count--;
    }
}
