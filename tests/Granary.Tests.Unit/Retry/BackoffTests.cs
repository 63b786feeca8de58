using Granary.Retry;

namespace Granary.Tests.Unit.Retry;

public sealed class BackoffTests
{
    [Fact]
    public void Without_jitter_delays_double_from_the_initial_up_to_the_max_and_start_over_after_a_reset()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), jitter: 0);

        var delays = Enumerable.Range(0, 5).Select(_ => backoff.Next().TotalMilliseconds).ToList();
        Assert.Equal([100, 200, 400, 500, 500], delays);
        Assert.Equal(5, backoff.Failures);

        backoff.Reset();
        Assert.Equal(0, backoff.Failures);
        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.Next());
    }

    [Fact]
    public void Jitter_stretches_each_delay_by_at_most_its_share_and_spreads_the_delays()
    {
        var seen = new HashSet<TimeSpan>();
        for (var seed = 0; seed < 50; seed++)
        {
            var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), jitter: 0.2, new Random(seed));
            backoff.Next();
            var second = backoff.Next();
            Assert.InRange(second, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.4));
            seen.Add(second);
        }
        // Fifty agents that failed together do not all retry in the same instant.
        Assert.True(seen.Count > 40, $"only {seen.Count} distinct delays in 50");
    }

    [Fact]
    public void Many_failures_stay_at_the_max_without_overflowing()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), jitter: 0);
        for (var i = 0; i < 200; i++)
            Assert.InRange(backoff.Next(), TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromMinutes(1), backoff.Unjittered(62));
        Assert.Equal(TimeSpan.FromMinutes(1), backoff.Unjittered(int.MaxValue));
    }

    [Fact]
    public void Settings_that_cannot_back_off_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), jitter: 1.5));
    }

    [Fact]
    public void A_zero_initial_delay_never_waits()
    {
        var backoff = new Backoff(TimeSpan.Zero, TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, backoff.Next());
        Assert.Equal(TimeSpan.Zero, backoff.Next());
    }

    [Fact]
    public async Task TryDelayAsync_is_false_when_cancelled()
    {
        var backoff = new Backoff(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.False(await backoff.TryDelayAsync(TimeProvider.System, cancelled.Token));
        Assert.Equal(1, backoff.Failures);
    }
}
