namespace Granary.Retry;

/// <summary>
/// Exponential back-off with jitter for loops that retry until they succeed (client-go's wait.Backoff with Jitter):
/// each failure doubles the delay from <see cref="Initial"/> up to <see cref="Max"/>, and each delay is stretched by a
/// random share of up to <see cref="Jitter"/> of itself, so that many agents or silos that failed together (a silo
/// died, Redis restarted) do not all come back in the same instant. <see cref="Reset"/> after a success.
/// Not thread-safe: one instance per loop.
/// </summary>
public sealed class Backoff
{
    private readonly Random _random;
    private int _failures;

    /// <param name="initial">The first delay; zero retries at once every time (tests).</param>
    /// <param name="jitter">The largest share (0–1) by which a delay is stretched; 0 for none.</param>
    /// <param name="random">A seeded generator for tests; <see cref="Random.Shared"/> otherwise.</param>
    public Backoff(TimeSpan initial, TimeSpan max, double jitter = DefaultJitter, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jitter, 1.0);
        (Initial, Max, Jitter) = (initial, max, jitter);
        _random = random ?? Random.Shared;
    }

    /// <summary>client-go's usual jitter: up to 20 % longer.</summary>
    public const double DefaultJitter = 0.2;

    public TimeSpan Initial { get; }

    public TimeSpan Max { get; }

    public double Jitter { get; }

    /// <summary>Failures since the last <see cref="Reset"/>.</summary>
    public int Failures => _failures;

    /// <summary>Counts a failure and gives the delay to wait before the next try.</summary>
    public TimeSpan Next()
    {
        var delay = Unjittered(_failures);
        if (_failures < int.MaxValue)
            _failures++;
        return Jitter == 0 ? delay : delay + delay * (Jitter * _random.NextDouble());
    }

    /// <summary>Counts a failure and waits the delay <see cref="Next"/> gives; throws OperationCanceledException when cancelled.</summary>
    public Task DelayAsync(TimeProvider time, CancellationToken cancellationToken) => Task.Delay(Next(), time, cancellationToken);

    /// <summary>
    /// As <see cref="DelayAsync"/>, but false instead of an exception when cancelled: for loops that end quietly when
    /// their host stops.
    /// </summary>
    public async Task<bool> TryDelayAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await DelayAsync(time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>After a success: the next failure waits <see cref="Initial"/> again.</summary>
    public void Reset() => _failures = 0;

    /// <summary>The delay after <paramref name="failures"/> earlier failures, before jitter: Initial × 2^failures, at most Max.</summary>
    public TimeSpan Unjittered(int failures)
    {
        // Compared before shifting, so the doubling can never overflow, whatever Initial and the count.
        if (failures >= 62 || Initial.Ticks > (Max.Ticks >> failures))
            return Max;
        return TimeSpan.FromTicks(Math.Min(Initial.Ticks << failures, Max.Ticks));
    }
}
