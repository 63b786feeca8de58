using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Granary.NodeAgent.Networking.Services;

/// <summary>
/// Which Services' endpoints this node follows: those asked about (a connection through the proxy, a DNS question)
/// within <see cref="IdleAfter"/>. Adding a Service or letting one go cancels
/// <see cref="ChangedToken"/>, so the follower re-lists with the new set. Thread-safe.
/// </summary>
public sealed class EndpointInterest(TimeProvider time, TimeSpan idleAfter) : IDisposable
{
    /// <summary>How long a Service is followed after its last use, as the catalog is configured by default.</summary>
    public static readonly TimeSpan DefaultIdleAfter = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<ServiceKey, long> _lastUse = new();
    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();

    public TimeSpan IdleAfter => idleAfter;

    /// <summary>Cancelled when the set of followed Services changes.</summary>
    public CancellationToken ChangedToken
    {
        get
        {
            lock (_gate)
                return _changed.Token;
        }
    }

    /// <summary>The Services followed now.</summary>
    public ImmutableArray<ServiceKey> Followed => [.. _lastUse.Keys];

    public bool IsFollowed(ServiceKey service) => _lastUse.ContainsKey(service);

    /// <summary>Marks a use of the Service; returns true when it was not followed before (the set changed).</summary>
    public bool Touch(ServiceKey service)
    {
        var now = time.GetTimestamp();
        var added = false;
        _lastUse.AddOrUpdate(service, _ => { added = true; return now; }, (_, _) => now);
        if (added)
            Changed();
        return added;
    }

    /// <summary>Stops following Services unused for <see cref="IdleAfter"/>; returns those let go.</summary>
    public ImmutableArray<ServiceKey> Sweep()
    {
        var idle = _lastUse.Where(p => time.GetElapsedTime(p.Value) >= idleAfter).Select(p => p.Key).ToImmutableArray();
        var removed = idle.Where(key => _lastUse.TryRemove(key, out _)).ToImmutableArray();
        if (!removed.IsEmpty)
            Changed();
        return removed;
    }

    /// <summary>Waits until the set changes.</summary>
    public async Task WaitForChangeAsync(CancellationToken ct)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, ChangedToken);
        try
        {
            await Task.Delay(Timeout.Infinite, both.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }

    private void Changed()
    {
        CancellationTokenSource old;
        lock (_gate)
        {
            old = _changed;
            _changed = new CancellationTokenSource();
        }
        // Not disposed: readers may still link to its token, which stays cancelled (it holds no timer or handle).
        old.Cancel();
    }

    public void Dispose()
    {
        lock (_gate)
            _changed.Dispose();
    }
}
