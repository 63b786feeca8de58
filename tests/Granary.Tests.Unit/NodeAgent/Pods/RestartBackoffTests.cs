using Granary.NodeAgent.Pods;

namespace Granary.Tests.Unit.NodeAgent.Pods;

public class RestartBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Fails <paramref name="failures"/> times, each run lasting 1 s and each restart as soon as allowed.</summary>
    private static RestartBackoff CrashLoop(int failures)
    {
        RestartBackoff? backoff = null;
        var now = T0;
        for (var i = 0; i < failures; i++)
        {
            now += backoff?.Remaining(now) ?? TimeSpan.Zero;
            var started = now;
            now += TimeSpan.FromSeconds(1);
            backoff = RestartBackoff.After(backoff, now, started);
        }
        return backoff!.Value;
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(5, 80)]
    [InlineData(6, 160)]
    [InlineData(7, 300)]
    [InlineData(8, 300)]
    public void After_CrashLoop_WaitsLikeTheKubelet(int failures, int seconds)
    {
        var backoff = CrashLoop(failures);

        Assert.Equal(TimeSpan.FromSeconds(seconds), backoff.Delay);
        Assert.Equal(seconds == 0 ? null : TimeSpan.FromSeconds(seconds), backoff.Remaining(backoff.FailedAt));
        Assert.Null(backoff.Remaining(backoff.FailedAt + TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Remaining_AsTimePasses_CountsDownFromTheFailure()
    {
        var backoff = CrashLoop(3);

        Assert.Equal(TimeSpan.FromSeconds(15), backoff.Remaining(backoff.FailedAt + TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromMilliseconds(1), backoff.Remaining(backoff.FailedAt + TimeSpan.FromSeconds(20) - TimeSpan.FromMilliseconds(1)));
        Assert.Null(backoff.Remaining(backoff.FailedAt + TimeSpan.FromMinutes(1)));
    }

    [Theory]
    // ran for (s) | back-off after the next failure (s)
    [InlineData(1, 80)]
    [InlineData(599, 80)]
    [InlineData(600, 80)]
    [InlineData(601, 0)]
    [InlineData(3600, 0)]
    public void After_ALongRun_StartsAfresh(int ranSeconds, int expected)
    {
        var backoff = CrashLoop(4);
        var restarted = backoff.FailedAt + backoff.Delay;

        var next = RestartBackoff.After(backoff, restarted + TimeSpan.FromSeconds(ranSeconds), restarted);

        Assert.Equal(TimeSpan.FromSeconds(expected), next.Delay);
    }

    [Fact]
    public void After_Reset_CountsUpFromTenSecondsAgain()
    {
        var first = RestartBackoff.After(null, T0 + TimeSpan.FromMinutes(20), T0);
        var second = T0 + TimeSpan.FromMinutes(21);

        var next = RestartBackoff.After(first, second, T0 + TimeSpan.FromMinutes(20));

        Assert.Equal(TimeSpan.FromSeconds(10), next.Delay);
        Assert.Equal(TimeSpan.FromSeconds(10), next.Remaining(second));
    }

    [Fact]
    public void After_WithoutStartTime_MeasuresTheRunFromTheEndOfTheLastBackOff()
    {
        var backoff = CrashLoop(3);
        var restarted = backoff.FailedAt + TimeSpan.FromSeconds(20);

        Assert.Equal(TimeSpan.FromSeconds(40), RestartBackoff.After(backoff, restarted + TimeSpan.FromMinutes(9), startedAt: null).Delay);
        Assert.Equal(TimeSpan.Zero, RestartBackoff.After(backoff, restarted + TimeSpan.FromMinutes(30), startedAt: null).Delay);
    }

    [Fact]
    public void After_SameOrOlderFailureAgain_ChangesNothing()
    {
        var backoff = CrashLoop(3);

        Assert.Equal(backoff, RestartBackoff.After(backoff, backoff.FailedAt, backoff.FailedAt - TimeSpan.FromSeconds(1)));
        Assert.Equal(backoff, RestartBackoff.After(backoff, backoff.FailedAt - TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void After_FirstFailure_MayRetryAtOnce()
    {
        var first = RestartBackoff.After(null, T0);

        Assert.Null(first.Remaining(T0));
        Assert.Equal(TimeSpan.Zero, first.Delay);
    }

    [Theory]
    [InlineData(10, "10s")]
    [InlineData(40, "40s")]
    [InlineData(80, "1m20s")]
    [InlineData(160, "2m40s")]
    [InlineData(300, "5m0s")]
    [InlineData(3600, "1h0m0s")]
    public void Message_ForDelay_ReadsLikeKubectl(int seconds, string delay)
    {
        var message = RestartBackoff.Message(TimeSpan.FromSeconds(seconds), "web", "web-0", "shop", "0b6f5a7e-uid");

        Assert.Equal($"back-off {delay} restarting failed container=web pod=web-0_shop(0b6f5a7e-uid)", message);
        Assert.Equal("CrashLoopBackOff", RestartBackoff.Reason);
    }
}
